/// How to reach the embedded cluster: a Unix socket folder, a port, a user and a database.
public struct EmbeddedConnectionTarget: Sendable, Equatable {
    /// The folder holding the server's Unix socket (`.s.PGSQL.<port>`).
    public var socketDirectory: String
    /// The port number that names the socket file; no TCP port is opened.
    public var port: Int
    /// The database role, `consult`.
    public var user: String
    /// The database name, `consult`.
    public var database: String

    /// Creates a target; the defaults are those of the embedded cluster.
    public init(socketDirectory: String, port: Int = 5432, user: String = "consult", database: String = "consult") {
        self.socketDirectory = socketDirectory
        self.port = port
        self.user = user
        self.database = database
    }

    /// A libpq connection URI, such as `postgresql://consult@/consult?host=%2Fpath%2Fto%2Frun&port=5432`.
    public var url: String {
        let user = Self.percentEncoded(user)
        let database = Self.percentEncoded(database)
        let host = Self.percentEncoded(socketDirectory)
        return "postgresql://\(user)@/\(database)?host=\(host)&port=\(port)"
    }

    /// libpq keyword/value pairs for `PQconnectdbParams`: `host`, `port`, `user` and `dbname`, in that order.
    public var connectionParameters: [(String, String)] {
        [("host", socketDirectory), ("port", String(port)), ("user", user), ("dbname", database)]
    }

    /// Percent-encodes every byte except RFC 3986 unreserved characters.
    static func percentEncoded(_ text: String) -> String {
        let hex: [Character] = Array("0123456789ABCDEF")
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                UInt8(ascii: "_"), UInt8(ascii: "~"):
                result.append(Character(Unicode.Scalar(byte)))
            default:
                result.append("%")
                result.append(hex[Int(byte >> 4)])
                result.append(hex[Int(byte & 0x0F)])
            }
        }
        return result
    }
}
