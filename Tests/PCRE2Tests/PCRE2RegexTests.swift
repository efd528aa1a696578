import Testing
import PCRE2

@Suite struct PCRE2RegexTests {
    @Test func compileErrorCarriesMessageAndOffset() {
        #expect(throws: PCRE2Error.self) { try PCRE2Regex("loss=([0-9]+") }
        do {
            _ = try PCRE2Regex("loss=([0-9]+")
        } catch {
            #expect(error.stage == .compile)
            #expect(error.message.contains("missing closing parenthesis"))
            #expect(error.offset == 12)
            #expect(error.pattern == "loss=([0-9]+")
        }
    }

    @Test func jitIsAvailable() throws {
        #expect(PCRE2Regex.jitAvailable)
        #expect(try PCRE2Regex("a(b)").isJIT)
    }

    @Test func groupOneOfLeftmostMatch() throws {
        let re = try PCRE2Regex("loss=([0-9.]+)")
        let (m, _) = re.firstGroup(in: "step=1 loss=0.5 loss=0.25")
        #expect(m == .group(12..<15))
        #expect(re.captureCount == 1)
    }

    @Test func unsetGroupAndNoMatch() throws {
        let re = try PCRE2Regex("(a)|b")
        #expect(re.firstGroup(in: "xb").0 == .groupUnset)
        #expect(re.firstGroup(in: "xyz").0 == .noMatch)
    }

    @Test func bytesNotUTF8() throws {
        let re = try PCRE2Regex("x=(.)(\\S)")
        let bytes: [UInt8] = [0x78, 0x3D, 0xFF, 0xC3]
        let m = bytes.withUnsafeBytes { re.firstGroup(in: $0) }
        #expect(m == .group(2..<3))
    }
}
