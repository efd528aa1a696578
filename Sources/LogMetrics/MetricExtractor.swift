import PCRE2

/// Applies MetricDefinitions to log lines with SageMaker's semantics: control bytes escaped first,
/// an unanchored byte-mode search per definition, the first match only, group 1 parsed as a float.
///
/// Owns one compiled regex (and its match data) per definition, so an instance belongs to one thread.
public final class MetricExtractor {
    public let definitions: [MetricDefinition]
    /// A copy of the counters so far.
    public var counters: [DefinitionCounters] { Array(slots.lazy.map(\.counters)) }
    private let regexes: [PCRE2Regex]
    private let prefilters: [RequiredLiteral?]
    /// Everything the per-line loop touches, in one flat buffer: no reference counting, no
    /// exclusivity checks, no copy-on-write checks per line (they were a quarter of the time).
    private let slots: UnsafeMutableBufferPointer<Slot>
    private var scratch: [UInt8] = []

    private struct Slot {
        let matcher: PCRE2Regex.Matcher
        let literal: RequiredLiteral.Raw?
        var counters = DefinitionCounters()
    }

    public init(definitions: [MetricDefinition]) throws(MetricExtractorError) {
        self.definitions = definitions
        var compiled: [PCRE2Regex] = []
        for (i, d) in definitions.enumerated() {
            let re: PCRE2Regex
            do { re = try PCRE2Regex(d.regex) } catch {
                throw MetricExtractorError(index: i, name: d.name, reason: .doesNotCompile(error))
            }
            guard re.captureCount >= 1 else {
                throw MetricExtractorError(index: i, name: d.name, reason: .noCapturingGroup)
            }
            compiled.append(re)
        }
        regexes = compiled
        let literals = definitions.map { RequiredLiteral(pattern: $0.regex) }
        prefilters = literals
        slots = .allocate(capacity: compiled.count)
        for i in compiled.indices {
            (slots.baseAddress! + i).initialize(to: Slot(matcher: compiled[i].matcher, literal: literals[i]?.raw))
        }
    }

    deinit {
        for literal in slots.compactMap(\.literal) { literal.deallocate() }
        slots.deinitialize()
        slots.deallocate()
    }

    /// Extracts from one line (without its `\n`). `emit` gets the definition index and the value,
    /// in definition order.
    @inline(__always)
    public func extract(line: UnsafeRawBufferPointer, emit: (Int, Double) -> Void) {
        if ControlByteEscaper.needsEscaping(line) {
            scratch.removeAll(keepingCapacity: true)
            ControlByteEscaper.escape(line, into: &scratch)
            scratch.withUnsafeBytes { match($0, emit: emit) }
        } else {
            match(line, emit: emit)
        }
    }

    @inline(__always)
    private func match(_ subject: UnsafeRawBufferPointer, emit: (Int, Double) -> Void) {
        let slot = slots.baseAddress!
        for i in 0..<slots.count {
            if let literal = slot[i].literal, !literal.occurs(in: subject) { continue }
            switch slot[i].matcher.firstGroup(in: subject) {
            case .noMatch:
                continue
            case .groupUnset:
                slot[i].counters.matches += 1
            case .error:
                slot[i].counters.matchErrors += 1
            case .group(let range):
                slot[i].counters.matches += 1
                let text = UnsafeRawBufferPointer(start: subject.baseAddress! + range.lowerBound, count: range.count)
                if let value = MetricValueParser.parse(text) {
                    slot[i].counters.values += 1
                    emit(i, value)
                } else {
                    slot[i].counters.parseFailures += 1
                }
            }
        }
    }

    /// Convenience for tests and lints: extracts from a line given as bytes.
    public func extract(line: [UInt8]) -> [(Int, Double)] {
        var out: [(Int, Double)] = []
        line.withUnsafeBytes { extract(line: $0) { out.append(($0, $1)) } }
        return out
    }
}
