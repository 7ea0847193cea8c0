import Synchronization

/// A flag one task sets and another polls (the worker beside the server stops when it is set).
final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)

    var isSet: Bool { value.load(ordering: .acquiring) }

    func set() { value.store(true, ordering: .releasing) }
}
