import ConsultCore

/// The exit codes of SPEC.md (sysexits) that are not a `ConsultFailure`'s (its `exitCode`).
public enum ExitStatus {
    public static let success: Int32 = 0
    public static let usage: Int32 = ConsultFailure.Kind.usage.rawValue
}
