#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A byte string that every match of a pattern must contain, found by a deliberately conservative
/// reading of the pattern. A line without it cannot match, so the regex is skipped; `memchr` on the
/// literal's rarest byte is far cheaper than entering the matcher for the many lines a metric never
/// appears on. When the pattern has anything this reader does not fully understand, there is no
/// literal and the regex always runs: a missed shortcut costs time, a wrong one would lose values.
public struct RequiredLiteral: Sendable, Equatable {
    public let bytes: [UInt8]
    /// Index in `bytes` of the byte searched with memchr.
    let anchorIndex: Int

    /// Shorter literals filter too little to pay for the extra search.
    static let minimumLength = 3

    public init?(pattern: String) {
        guard let runs = RequiredLiteral.literalRuns(Array(pattern.utf8)),
              let best = runs.max(by: { $0.count < $1.count }),
              best.count >= RequiredLiteral.minimumLength else { return nil }
        bytes = best
        var anchor = 0
        for k in best.indices where RequiredLiteral.commonness(best[k]) < RequiredLiteral.commonness(best[anchor]) {
            anchor = k
        }
        anchorIndex = anchor
    }

    /// Whether `subject` contains the literal.
    public func occurs(in subject: UnsafeRawBufferPointer) -> Bool {
        let r = raw
        defer { r.deallocate() }
        return r.occurs(in: subject)
    }

    /// A copy in manually managed memory for the per-line loop; the owner deallocates it.
    var raw: Raw {
        let p = UnsafeMutableRawPointer.allocate(byteCount: bytes.count, alignment: 1)
        bytes.withUnsafeBytes { p.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
        return Raw(bytes: UnsafeRawPointer(p), count: bytes.count, anchorIndex: anchorIndex,
                   anchorByte: Int32(bytes[anchorIndex]))
    }

    struct Raw {
        let bytes: UnsafeRawPointer
        let count: Int
        let anchorIndex: Int
        let anchorByte: Int32

        func deallocate() { UnsafeMutableRawPointer(mutating: bytes).deallocate() }

        @inline(__always)
        func occurs(in subject: UnsafeRawBufferPointer) -> Bool {
            guard subject.count >= count, let base = subject.baseAddress else { return false }
            var from = anchorIndex
            let last = subject.count - count + anchorIndex   // last position the anchor byte may sit at
            while from <= last {
                guard let hit = memchr(base + from, anchorByte, last - from + 1) else { return false }
                let at = base.distance(to: UnsafeRawPointer(hit))
                if memcmp(base + (at - anchorIndex), bytes, count) == 0 { return true }
                from = at + 1
            }
            return false
        }
    }

    /// The maximal runs of literal bytes in the top-level sequence of `p`, or nil when the pattern uses
    /// something that could make a run optional or caseless (top-level alternation, option settings,
    /// verbs, `\Q…\E`, unusual escapes).
    static func literalRuns(_ p: [UInt8]) -> [[UInt8]]? {
        if p.starts(with: Array("(*".utf8)) { return nil }
        var runs: [[UInt8]] = []
        var run: [UInt8] = []
        func endRun() { if !run.isEmpty { runs.append(run); run = [] } }
        var i = 0
        while i < p.count {
            let c = p[i]
            switch c {
            case UInt8(ascii: "|"), UInt8(ascii: ")"), UInt8(ascii: "{"):
                return nil
            case UInt8(ascii: "("):
                if i + 2 < p.count, p[i + 1] == UInt8(ascii: "?"), isOptionLetter(p[i + 2]) { return nil }
                guard let close = skipGroup(p, from: i) else { return nil }
                endRun(); i = close
                guard let next = skipQuantifier(p, from: i) else { return nil }
                i = next
                continue
            case UInt8(ascii: "["):
                guard let close = skipClass(p, from: i) else { return nil }
                endRun(); i = close
                guard let next = skipQuantifier(p, from: i) else { return nil }
                i = next
                continue
            case UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "$"):
                endRun(); i += 1
                guard let next = skipQuantifier(p, from: i) else { return nil }
                i = next
                continue
            case UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "?"):
                return nil   // a quantifier with nothing we understand before it
            case UInt8(ascii: "\\"):
                guard i + 1 < p.count else { return nil }
                let d = p[i + 1]
                if isAlphanumeric(d) {
                    // Classes and assertions (\d, \b, …) end a run; escapes that carry data are not read.
                    if Array("xocpPNgkQEu0123456789".utf8).contains(d) { return nil }
                    endRun(); i += 2
                    guard let next = skipQuantifier(p, from: i) else { return nil }
                    i = next
                    continue
                }
                i += 2
                guard let next = literal(d, p, at: i, run: &run, ended: &runs) else { return nil }
                i = next
            default:
                i += 1
                guard let next = literal(c, p, at: i, run: &run, ended: &runs) else { return nil }
                i = next
            }
        }
        endRun()
        return runs
    }

    /// Adds a literal byte unless a quantifier makes it optional; a repeat ends the run after it.
    /// Returns where reading goes on, or nil to give up.
    private static func literal(_ byte: UInt8, _ p: [UInt8], at i: Int, run: inout [UInt8], ended runs: inout [[UInt8]]) -> Int? {
        guard i < p.count else { run.append(byte); return i }
        switch p[i] {
        case UInt8(ascii: "*"), UInt8(ascii: "?"):
            if !run.isEmpty { runs.append(run); run = [] }
            return skipQuantifier(p, from: i)
        case UInt8(ascii: "+"):
            run.append(byte)
            runs.append(run); run = []
            return skipQuantifier(p, from: i)
        case UInt8(ascii: "{"):
            return nil
        default:
            run.append(byte)
            return i
        }
    }

    /// Skips `*`, `+`, `?` (with a lazy or possessive suffix); nil for `{`, which this reader avoids.
    private static func skipQuantifier(_ p: [UInt8], from i: Int) -> Int? {
        guard i < p.count else { return i }
        switch p[i] {
        case UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "?"):
            var j = i + 1
            if j < p.count, p[j] == UInt8(ascii: "?") || p[j] == UInt8(ascii: "+") { j += 1 }
            return j
        case UInt8(ascii: "{"):
            return nil
        default:
            return i
        }
    }

    /// Index just past the `)` closing the group opened at `i`.
    private static func skipGroup(_ p: [UInt8], from i: Int) -> Int? {
        var depth = 0
        var j = i
        while j < p.count {
            switch p[j] {
            case UInt8(ascii: "\\"):
                if j + 1 < p.count, p[j + 1] == UInt8(ascii: "Q") { return nil }
                j += 2; continue
            case UInt8(ascii: "["):
                guard let close = skipClass(p, from: j) else { return nil }
                j = close; continue
            case UInt8(ascii: "("): depth += 1
            case UInt8(ascii: ")"):
                depth -= 1
                if depth == 0 { return j + 1 }
            default: break
            }
            j += 1
        }
        return nil
    }

    /// Index just past the `]` closing the class opened at `i` (a leading `]` or `^]` is literal).
    private static func skipClass(_ p: [UInt8], from i: Int) -> Int? {
        var j = i + 1
        if j < p.count, p[j] == UInt8(ascii: "^") { j += 1 }
        if j < p.count, p[j] == UInt8(ascii: "]") { j += 1 }
        while j < p.count {
            switch p[j] {
            case UInt8(ascii: "\\"): j += 2; continue
            case UInt8(ascii: "["):
                // POSIX classes such as [:alpha:] nest one level.
                if j + 1 < p.count, p[j + 1] == UInt8(ascii: ":") {
                    guard let end = indexOf(Array(":]".utf8), in: p, from: j + 2) else { return nil }
                    j = end + 2; continue
                }
            case UInt8(ascii: "]"): return j + 1
            default: break
            }
            j += 1
        }
        return nil
    }

    private static func indexOf(_ needle: [UInt8], in p: [UInt8], from: Int) -> Int? {
        guard needle.count <= p.count else { return nil }
        var j = from
        while j + needle.count <= p.count {
            if Array(p[j..<j + needle.count]) == needle { return j }
            j += 1
        }
        return nil
    }

    private static func isOptionLetter(_ b: UInt8) -> Bool { Array("imnsxJU^-)".utf8).contains(b) }
    private static func isAlphanumeric(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b | 0x20 >= 0x61 && b | 0x20 <= 0x7A)
    }

    /// A rough rank of how often a byte appears in training logs; the rarest byte of the literal is
    /// the one memchr looks for.
    static func commonness(_ b: UInt8) -> Int {
        switch b {
        case UInt8(ascii: " "): 100
        case UInt8(ascii: "e"), UInt8(ascii: "t"), UInt8(ascii: "a"), UInt8(ascii: "o"), UInt8(ascii: "i"),
             UInt8(ascii: "n"), UInt8(ascii: "s"), UInt8(ascii: "r"): 80
        case 0x30...0x39: 75
        case UInt8(ascii: "."), UInt8(ascii: ","), UInt8(ascii: ":"), UInt8(ascii: "'"): 60
        case UInt8(ascii: "h"), UInt8(ascii: "l"), UInt8(ascii: "d"), UInt8(ascii: "c"), UInt8(ascii: "u"),
             UInt8(ascii: "m"): 55
        case UInt8(ascii: "="), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "#"): 45
        case 0x61...0x7A: 35
        case 0x41...0x5A: 25
        default: 20
        }
    }
}
