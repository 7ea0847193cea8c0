import ConsultDomain
import Foundation

/// Shared data for the shape and batch rule tests: valid event data for every type, and small
/// builders for the records a batch refers to.
enum RuleFixtures {
    /// The JSON object `json` describes; the literal must be a valid JSON object.
    static func object(_ json: String) -> JSONObject {
        try! JSONValue.parse(json).objectValue!
    }

    /// A JSON value from its text, e.g. `value("[]")`, `value(#""msit""#)`.
    static func value(_ json: String) -> JSONValue {
        try! JSONValue.parse(json)
    }

    /// A fixed event id for data that needs one (corrections, retractions).
    static let someEventID = "1b7e0a52-8c59-4c0e-9d59-5c1a7a0e0042"

    /// The smallest valid data of each type: required fields only (and, for `StakeholderChanged`,
    /// the one change it must make).
    static func minimal(_ type: EventType) -> JSONObject {
        switch type {
        case .stakeholderRegistered:
            object(#"{"stakeholderId":"msit","name":"과학기술정보통신부","kind":"organization","sector":"government"}"#)
        case .stakeholderChanged:
            object(#"{"stakeholderId":"lee-jong-ho","on":"2024-01-10","title":"전 과학기술정보통신부 장관"}"#)
        case .consultationHeld:
            object(
                #"""
                {"consultationId":"ai-strategy-dialogue-3","kind":"strategy_dialogue","title":"제3차 AI 전략대화",
                 "startsOn":"2023-03-08","organizerIds":[],"participants":[],"sources":[{"publisher":"뉴스토마토"}]}
                """#)
        case .statementRecorded:
            object(
                #"""
                {"consultationId":"ai-strategy-dialogue-3","statementId":"naver-compute-1","speakerId":"naver",
                 "summary":"국내 AI 기업의 컴퓨팅 자원 부족을 지적했다.","topics":[]}
                """#)
        case .requestMade:
            object(
                #"""
                {"consultationId":"ai-strategy-dialogue-3","requestId":"startups-gpu-access","requesterId":"kosa",
                 "addressedToIds":["msit"],"summary":"스타트업의 GPU 접근 지원을 요청했다.","topics":[]}
                """#)
        case .requestAnswered:
            object(
                #"""
                {"requestId":"startups-gpu-access","on":"2023-03-20","answeredById":"msit","outcome":"accepted",
                 "reason":"초거대 AI 지원 사업에 반영한다."}
                """#)
        case .commitmentMade:
            object(
                #"""
                {"commitmentId":"msit-hyperscale-ai-policy-2023","consultationId":"ai-strategy-dialogue-3",
                 "madeById":"lee-jong-ho","ownerId":"msit","summary":"초거대 AI 경쟁력 강화 방안을 발표한다.",
                 "topics":[]}
                """#)
        case .commitmentRestated:
            object(
                #"""
                {"commitmentId":"msit-hyperscale-ai-policy-2023","consultationId":"ai-strategy-dialogue-4",
                 "byId":"lee-jong-ho","on":"2023-04-05"}
                """#)
        case .commitmentProgressed:
            object(
                #"""
                {"commitmentId":"msit-hyperscale-ai-policy-2023","on":"2023-04-14","status":"fulfilled",
                 "note":"초거대 AI 경쟁력 강화 방안이 발표되었다.","evidence":[{"publisher":"과학기술정보통신부"}]}
                """#)
        case .followUpScheduled:
            object(#"{"commitmentId":"msit-hyperscale-ai-policy-2023","checkOn":"2023-04-01"}"#)
        case .recordCorrected:
            object(
                #"{"correctsEventId":"\#(someEventID)","reason":"날짜 오기","changes":{"date":"2023-03-09"}}"#)
        case .recordRetracted:
            object(#"{"retractsEventId":"\#(someEventID)","reason":"다른 행사의 기사였다."}"#)
        }
    }

    /// Valid data of each type with every optional field given (and lists not empty).
    static func maximal(_ type: EventType) -> JSONObject {
        var data = minimal(type)
        func add(_ json: String) {
            for (key, value) in object(json) { data[key] = value }
        }
        switch type {
        case .stakeholderRegistered:
            add(
                #"""
                {"affiliationId":"government","title":"장관","party":"무소속",
                 "aliases":["MSIT","Ministry of Science and ICT"]}
                """#)
        case .stakeholderChanged:
            add(
                #"""
                {"name":"이종호","title":"전 장관","affiliationId":"snu","party":"무소속","sector":"academia"}
                """#)
        case .consultationHeld:
            add(
                #"""
                {"venue":"서울 중구 한국프레스센터","endsOn":"2023-03-09","organizerIds":["msit","nia"],
                 "participants":[{"stakeholderId":"lee-jong-ho","role":"host"},
                                 {"stakeholderId":"naver","role":"speaker"}],
                 "sources":[{"publisher":"뉴스토마토","title":"초거대 AI 전략대화",
                             "url":"https://www.newstomato.com/ReadNews.aspx?no=1185370",
                             "publishedOn":"2023-03-08"},
                            {"publisher":"전자신문"}]}
                """#)
        case .statementRecorded:
            add(#"{"topics":["compute","sovereign-ai"],"quote":"GPU가 없으면 모델도 없다","on":"2023-03-08"}"#)
        case .requestMade:
            add(#"{"addressedToIds":["msit","mois"],"topics":["compute","funding"],"on":"2023-03-09"}"#)
        case .requestAnswered:
            add(
                #"""
                {"commitmentIds":["msit-hyperscale-ai-policy-2023"],
                 "evidence":[{"publisher":"과학기술정보통신부","url":"https://www.msit.go.kr/bbs/view.do?nttSeqNo=1"}]}
                """#)
        case .commitmentMade:
            add(
                #"""
                {"topics":["compute"],"due":"2023-03","dueText":"이달 중",
                 "respondsToRequestIds":["startups-gpu-access"],"on":"2023-03-08"}
                """#)
        case .commitmentRestated:
            add(#"{"note":"전략대화에서 같은 약속을 되풀이했다."}"#)
        case .commitmentProgressed:
            add(#"{"revisedDue":"2023-06","assessment":"self_reported","reason":"발표 일정이 늦어졌다."}"#)
        case .followUpScheduled:
            add(#"{"assignee":"정책팀 김OO","note":"발표 여부 확인"}"#)
        case .recordCorrected:
            add(#"{"changes":{"date":"2023-03-09","title":"제3차 초거대 AI 전략대화","venue":"과천"}}"#)
        case .recordRetracted:
            break
        }
        return data
    }
}

extension JSONObject {
    /// A copy with `key` set to `value` (removed when nil).
    func setting(_ key: String, _ value: JSONValue?) -> JSONObject {
        var copy = self
        copy[key] = value
        return copy
    }

    /// A copy with `key` set to the JSON value `json`.
    func setting(_ key: String, json: String) -> JSONObject {
        setting(key, RuleFixtures.value(json))
    }

    /// A copy without `key`.
    func removing(_ key: String) -> JSONObject {
        setting(key, nil)
    }
}

/// `violations` as `field: message` lines, for readable comparisons.
func violationLines(_ violations: [Violation]) -> [String] {
    violations.map { "\($0.field): \($0.message)" }
}
