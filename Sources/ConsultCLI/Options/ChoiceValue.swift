import ArgumentParser

/// An option whose value is one of a fixed list (a sector, a kind): anything else is refused with
/// the nearest allowed value, when one is close, and the whole list, so a filter never silently
/// matches nothing because of a typo.
enum ChoiceValue {
    /// Throws a `ValidationError` (exit 64) when `value` is given and is not one of `allowed`:
    /// `--sector goverment is not a sector; did you mean government? Use one of government, …`.
    static func check(_ value: String?, option: String, noun: String, allowed: [String]) throws {
        guard let value, !allowed.contains(value) else { return }
        let suggestion = SubcommandNames.nearest(value, in: allowed).map { "; did you mean \($0)? Use" } ?? "; use"
        throw ValidationError(
            "\(option) \(value) is not \(noun)\(suggestion) one of \(allowed.joined(separator: ", ")).")
    }
}
