/// Where a reader of the log is: the (epoch, transaction id, position) of the last event it read.
///
/// The log is read and checkpointed in this order, not by `position` alone; see
/// `PostgresEventStore.readAll(after:limit:)` for why.
public struct LogPosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var epoch: Int32
    public var transactionID: UInt64
    public var position: Int64

    public init(epoch: Int32, transactionID: UInt64, position: Int64) {
        self.epoch = epoch
        self.transactionID = transactionID
        self.position = position
    }

    /// Before the first event.
    public static let start = LogPosition(epoch: 0, transactionID: 0, position: 0)

    public static func < (lhs: LogPosition, rhs: LogPosition) -> Bool {
        (lhs.epoch, lhs.transactionID, lhs.position) < (rhs.epoch, rhs.transactionID, rhs.position)
    }

    /// `epoch/transactionID/position`, e.g. `1/745/12`.
    public var description: String { "\(epoch)/\(transactionID)/\(position)" }

    /// Parses the `description` form.
    public init?(_ text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 3, let epoch = Int32(parts[0]), let transactionID = UInt64(parts[1]),
            let position = Int64(parts[2])
        else { return nil }
        self.init(epoch: epoch, transactionID: transactionID, position: position)
    }
}
