extension RuleDefinition.Parameter {
    /// Why `value` (a RuleParameters string) does not read as this parameter's type within its
    /// bounds, or nil when it does.
    public func reasonInvalid(_ value: String) -> String? {
        let v = value.trimmingSpaces
        // The SDK sends Python's None as "None": the rule then takes its own default.
        if v == "None" && defaultValue == nil { return nil }
        switch type {
        case .number:
            guard let d = Self.number(v) else { return "\(Self.quoted(value)) is not a number" }
            return boundsReason(d)
        case .integer:
            guard let d = Self.number(v), d.isFinite, d.rounded() == d else { return "\(Self.quoted(value)) is not an integer" }
            return boundsReason(d)
        case .boolean:
            return ["true", "false"].contains(v.lowercased()) ? nil : "\(Self.quoted(value)) is not True or False"
        case .mode:
            return ["TRAIN", "EVAL", "PREDICT", "GLOBAL"].contains(v.uppercased()) ? nil
                : "\(Self.quoted(value)) is not a mode (TRAIN, EVAL, PREDICT or GLOBAL)"
        case .range:
            let inner = v.hasPrefix("(") && v.hasSuffix(")") ? String(v.dropFirst().dropLast()) : v
            let parts = inner.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingSpaces }
            guard parts.count == 2, let low = Self.number(parts[0]), let high = Self.number(parts[1]) else {
                return "\(Self.quoted(value)) is not a range such as (-9.5, 9.5)"
            }
            return low < high ? nil : "\(Self.quoted(value)): the low end must be below the high end"
        case .trial:
            return v.isEmpty ? "the trial cannot be empty" : nil
        case .string, .regex, .list:
            return nil
        }
    }

    /// A decimal number as Python's `float()` reads one (Swift's parser would also take hex floats).
    private static func number(_ s: String) -> Double? {
        guard !s.lowercased().contains("0x"), !s.contains("_") else { return nil }
        return Double(s)
    }

    /// The bounds as a reader would write them (`>= 1`, `< 100`).
    public var boundsDescription: [String] {
        var out: [String] = []
        if let m = minimum { out.append(">= \(Self.format(m))") }
        if let m = exclusiveMinimum { out.append("> \(Self.format(m))") }
        if let m = maximum { out.append("<= \(Self.format(m))") }
        if let m = exclusiveMaximum { out.append("< \(Self.format(m))") }
        return out
    }

    private func boundsReason(_ d: Double) -> String? {
        if d.isNaN { return "NaN is not a valid \(name)" }
        if let m = minimum, d < m { return "\(Self.format(d)) is below the minimum, \(Self.format(m))" }
        if let m = exclusiveMinimum, d <= m { return "\(Self.format(d)) must be above \(Self.format(m))" }
        if let m = maximum, d > m { return "\(Self.format(d)) is above the maximum, \(Self.format(m))" }
        if let m = exclusiveMaximum, d >= m { return "\(Self.format(d)) must be below \(Self.format(m))" }
        return nil
    }

    private static func quoted(_ s: String) -> String { "\"" + s + "\"" }

    private static func format(_ d: Double) -> String {
        d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s.removeFirst() }
        while s.last == " " || s.last == "\t" { s.removeLast() }
        return String(s)
    }
}
