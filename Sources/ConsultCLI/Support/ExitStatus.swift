import ConsultCore

/// The exit codes of SPEC.md (sysexits).
public enum ExitStatus {
    public static let success: Int32 = 0
    public static let failure: Int32 = ConsultFailure.Kind.failure.rawValue
    public static let usage: Int32 = ConsultFailure.Kind.usage.rawValue
    public static let invalidInput: Int32 = ConsultFailure.Kind.invalidInput.rawValue
    public static let unavailable: Int32 = ConsultFailure.Kind.unavailable.rawValue
    public static let conflict: Int32 = ConsultFailure.Kind.conflict.rawValue
}
