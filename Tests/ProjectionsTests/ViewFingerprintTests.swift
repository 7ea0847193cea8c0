import Testing

@testable import Projections

/// A view's fingerprint is stored with its checkpoint: when it changes, every user's view is
/// rebuilt from the first event. A change to a view's tables (or its `version`) must be meant.
@Suite("View fingerprints")
struct ViewFingerprintTests {
    /// The fingerprints users' checkpoints hold (read from a replay's `projection_checkpoints`).
    /// Change one only with the view's tables, on purpose: that rebuilds the view for everyone.
    /// Every view changed with `ConsultationHeld` schema version 2 (the event types' versions are
    /// part of each fingerprint; consultations, statements and requests gained date columns), and
    /// commitments again with two indexes for a first screen (`ReadModel.firstCommitments`), and
    /// history with an index of the answers that name commitments (`ReadModel.answerLinks`).
    static let pinned: [String: Int] = [
        "history": 122_502_603,
        "stakeholders": 1_647_668_810,
        "consultations": 1_895_123_788,
        "requests": 254_361_158,
        "commitments": 1_071_255_109,
        "follow-ups": 529_979_543,
        "search": 103_284_663,
    ]

    @Test("each view's fingerprint is the pinned one: its DDL has not changed")
    func fingerprintsArePinned() {
        #expect(Views.all.count == Self.pinned.count)
        for view in Views.all {
            #expect(view.fingerprint == Self.pinned[view.name], "\(view.name)'s tables or version changed")
        }
    }

    @Test("every view table starts with stream_id and keys on it")
    func streamFirst() {
        for table in Views.all.flatMap(\.tables) {
            #expect(table.columns.first?.name == "stream_id")
            #expect(table.columns.first?.type == "text")
            #expect(table.key.first == "stream_id")
            let names = table.columns.map(\.name)
            #expect(Set(names).count == names.count, "\(table.name) names a column twice")
        }
    }
}
