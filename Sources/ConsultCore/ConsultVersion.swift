/// The version of consult, as `consult --version` prints it.
public enum ConsultVersion {
    public static let current = "0.9.0"
}
