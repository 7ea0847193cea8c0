/// The event types' earlier schema versions, and how data of each becomes the next (SPEC.md,
/// "Schema versions"). This file is the only place that knows old shapes: whatever interprets
/// events (rules, folds, views, replay, verify) gets them upcast to the current version; the log
/// keeps every event as it was written.
///
/// Adding a version of a type: add one `Upcaster` to `registry` (the shape it reads, and the step
/// to the next version), change the type's fields in `EventSchema` to the new shape, and add a row
/// to `UpcastingTests`. The type's current version is one more than its last step's `from`.
public struct Upcaster: Sendable {
    public var type: EventType
    /// The version this step reads; it writes version `from + 1`.
    public var from: Int
    /// The fields of version `from`, for checking input written in that shape.
    public var fields: [FieldSpec]
    /// A field only version `from` has: input holding it is written in that shape.
    public var marker: String
    /// The field of the next version that takes the marker's place; input holding both is refused.
    public var replacedBy: String
    /// Version `from` data to version `from + 1`. It is also applied to a correction's `changes`
    /// (a part of the data), so it changes only the fields it finds.
    public var step: @Sendable (JSONObject) -> JSONObject
}

public enum Upcasting {
    /// Every step, at most one per type and version.
    public static let registry: [Upcaster] = [consultationDays]

    /// `ConsultationHeld` 1 → 2: one day (`date`) becomes a period (`startsOn`, `endsOn?`): a
    /// version-1 consultation lasted the one day, so `startsOn = date` and no `endsOn`.
    static let consultationDays = Upcaster(
        type: .consultationHeld, from: 1,
        fields: [
            .required("consultationId", .slug), .required("kind", .oneOf(EventSchema.consultationKinds)),
            .required("title", EventSchema.shortText), .required("date", .date),
            .required("organizerIds", .list(of: .slug, nonEmpty: false)),
            .required("participants", .list(of: EventSchema.participant, nonEmpty: false)),
            .required("sources", .list(of: EventSchema.source, nonEmpty: true)),
            .optional("venue", EventSchema.shortText),
        ],
        marker: "date", replacedBy: "startsOn",
        step: { data in
            guard data["date"] != nil else { return data }
            var next = JSONObject()
            for (key, value) in data { next[key == "date" ? "startsOn" : key] = value }
            return next
        })

    /// The version events of `type` are written in now.
    public static func currentVersion(of type: EventType) -> Int {
        registry.filter { $0.type == type }.map { $0.from + 1 }.max() ?? 1
    }

    /// Each type's current version, for what is built from interpreted events (a view's
    /// fingerprint): `ConsultationHeld:2,…`.
    public static var currentVersions: String {
        EventType.allCases.map { "\($0.rawValue):\(currentVersion(of: $0))" }.joined(separator: ",")
    }

    /// `data` of `type` written at `version`, upcast step by step to the current version.
    /// Data of an unknown later version is returned as it is.
    public static func upcast(_ data: JSONObject, of type: EventType, from version: Int) -> JSONObject {
        var data = data
        var version = version
        while let step = registry.first(where: { $0.type == type && $0.from == version }) {
            data = step.step(data)
            version += 1
        }
        return data
    }

    /// A correction's `changes` to an event of `target`, in the target's current shape: every step
    /// of the type renames the fields it knows (`date` → `startsOn`), whatever version the
    /// correction was written against.
    public static func upcastChanges(_ changes: JSONObject, of target: EventType) -> JSONObject {
        registry.filter { $0.type == target }.sorted { $0.from < $1.from }.reduce(changes) { $1.step($0) }
    }

    /// The version input data of `type` is written in: an earlier one when it holds that
    /// version's marker field, else the current one. Holding both a marker and the field that
    /// replaced it is a violation.
    public static func inputVersion(of type: EventType, data: JSONObject, path: String = "data")
        -> Result<Int, Violation>
    {
        for step in registry where step.type == type && data[step.marker] != nil {
            if data[step.replacedBy] != nil {
                return .failure(
                    Violation(
                        field: "\(path).\(step.marker)",
                        message:
                            "and \(path).\(step.replacedBy) are both given: \(step.marker) is how version \(step.from) "
                            + "of \(type.rawValue) writes it, \(step.replacedBy) how version \(step.from + 1) does; "
                            + "give one"))
            }
            return .success(step.from)
        }
        return .success(currentVersion(of: type))
    }

    /// The fields of `type` at `version`; nil for a version that never existed.
    public static func fields(of type: EventType, version: Int) -> [FieldSpec]? {
        if version == currentVersion(of: type) { return EventSchema.fields(of: type) }
        return registry.first { $0.type == type && $0.from == version }?.fields
    }
}
