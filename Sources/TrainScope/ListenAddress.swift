/// `--listen HOST:PORT`, with `[v6]:PORT` for IPv6 literals.
public struct ListenAddress: Sendable, Equatable {
    public var host: String
    public var port: Int

    public struct ParseError: Error, CustomStringConvertible {
        public let text: String
        public var description: String { "--listen \(text.debugDescription): expected HOST:PORT, e.g. 127.0.0.1:9478 or [::1]:9478" }
    }

    public static func parse(_ text: String) throws(ParseError) -> ListenAddress {
        var host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { throw ParseError(text: text) }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw ParseError(text: text) }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            if host.contains(":") { throw ParseError(text: text) }
        }
        if host.isEmpty { host = "127.0.0.1" }
        guard let port = Int(portText), (0...65535).contains(port) else { throw ParseError(text: text) }
        return ListenAddress(host: String(host), port: port)
    }
}
