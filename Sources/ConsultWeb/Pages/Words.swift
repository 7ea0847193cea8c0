import ConsultDomain

/// The language of a page: Korean unless `lang=en` asks for English.
enum Language: String, Sendable {
    case korean = "ko"
    case english = "en"

    /// The `lang` parameter's value; anything but `ko` or `en` is a 400 naming it.
    init(_ parameter: String?) throws {
        switch parameter {
        case nil, "ko"?: self = .korean
        case "en"?: self = .english
        case let other?:
            throw Problem(
                status: .badRequest,
                detail: "lang takes ko or en; \"\(QueryParameters.printable(other))\" is neither.")
        }
    }

    /// The Korean text, or the English one.
    func say(_ korean: String, _ english: String) -> String { self == .korean ? korean : english }

    /// The other language, for the switch link.
    var other: Language { self == .korean ? .english : .korean }
}

/// The names the pages show for the record's fixed vocabularies (statuses, schedules, sectors,
/// kinds, roles, event types), in both languages; an unknown value is shown as it is.
enum Words {
    static let statuses: [String: (String, String)] = [
        "open": ("미착수", "open"),
        "in_progress": ("진행 중", "in progress"),
        "stalled": ("정체", "stalled"),
        "fulfilled": ("이행", "fulfilled"),
        "partially_fulfilled": ("일부 이행", "partially fulfilled"),
        "broken": ("파기", "broken"),
        "withdrawn": ("철회", "withdrawn"),
    ]

    static let schedules: [Schedule: (String, String)] = [
        .overdue: ("기한 지남", "overdue"),
        .dueSoon: ("기한 임박", "due soon"),
        .upcoming: ("기한 전", "on track"),
        .noDeadline: ("기한 없음", "no due date"),
        .met: ("기한 내 이행", "met"),
        .late: ("늦게 이행", "late"),
        .closed: ("종결", "closed"),
    ]

    static let sectors: [String: (String, String)] = [
        "government": ("정부", "government"),
        "legislature": ("국회", "legislature"),
        "public_institution": ("공공기관", "public institution"),
        "large_company": ("대기업", "large company"),
        "startup": ("스타트업", "start-up"),
        "academia": ("학계", "academia"),
        "association": ("협회·단체", "association"),
        "civil_society": ("시민사회", "civil society"),
        "media": ("언론", "media"),
        "other": ("기타", "other"),
    ]

    static let consultationKinds: [String: (String, String)] = [
        "forum": ("토론회", "forum"),
        "roundtable": ("간담회", "roundtable"),
        "strategy_dialogue": ("전략대화", "strategy dialogue"),
        "town_hall": ("타운홀 미팅", "town hall"),
        "hearing": ("공청회", "hearing"),
        "interview": ("인터뷰", "interview"),
        "op_ed": ("기고", "op-ed"),
        "press_release": ("보도자료", "press release"),
        "public_comment": ("입법·행정예고 의견수렴", "public comment period"),
        "meeting": ("회의", "meeting"),
        "other": ("기타", "other"),
    ]

    static let roles: [String: (String, String)] = [
        "host": ("주최", "host"),
        "speaker": ("발제", "speaker"),
        "panelist": ("토론", "panelist"),
        "moderator": ("사회", "moderator"),
        "attendee": ("참석", "attendee"),
        "interviewee": ("인터뷰이", "interviewee"),
        "author": ("필자", "author"),
        "commenter": ("의견 제출", "commenter"),
    ]

    static let outcomes: [String: (String, String)] = [
        "accepted": ("수용", "accepted"),
        "partially_accepted": ("일부 수용", "partially accepted"),
        "under_review": ("검토 중", "under review"),
        "declined": ("거절", "declined"),
    ]

    static let events: [String: (String, String)] = [
        "StakeholderRegistered": ("이해관계자 등록", "Stakeholder registered"),
        "StakeholderChanged": ("이해관계자 정보 변경", "Stakeholder changed"),
        "ConsultationHeld": ("협의 개최", "Consultation held"),
        "StatementRecorded": ("발언 기록", "Statement recorded"),
        "RequestMade": ("요청", "Request made"),
        "RequestAnswered": ("요청에 대한 답", "Request answered"),
        "CommitmentMade": ("약속", "Commitment made"),
        "CommitmentRestated": ("약속 재확인", "Commitment restated"),
        "CommitmentProgressed": ("이행 경과", "Progress"),
        "FollowUpScheduled": ("점검 일정", "Follow-up scheduled"),
        "RecordCorrected": ("정정", "Correction"),
        "RecordRetracted": ("철회된 기록", "Retraction"),
    ]

    static func name(_ table: [String: (String, String)], _ value: String, _ language: Language) -> String {
        guard let names = table[value] else { return value }
        return language.say(names.0, names.1)
    }

    static func status(_ value: String, _ language: Language) -> String { name(statuses, value, language) }
    static func sector(_ value: String, _ language: Language) -> String { name(sectors, value, language) }
    static func kind(_ value: String, _ language: Language) -> String { name(consultationKinds, value, language) }
    static func role(_ value: String, _ language: Language) -> String { name(roles, value, language) }
    static func event(_ value: String, _ language: Language) -> String { name(events, value, language) }
    static func outcome(_ value: String, _ language: Language) -> String { name(outcomes, value, language) }

    static func schedule(_ value: Schedule, _ language: Language) -> String {
        guard let names = schedules[value] else { return value.rawValue }
        return language.say(names.0, names.1)
    }
}
