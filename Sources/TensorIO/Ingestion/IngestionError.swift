/// A request the ingestion API refuses, with the HTTP status it answers and the reason it gives.
public struct IngestionError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: Int
    public var message: String
    /// The tensor the problem concerns, when there is one.
    public var tensor: String?

    public init(status: Int, _ message: String, tensor: String? = nil) {
        self.status = status
        self.message = message
        self.tensor = tensor
    }

    static func badRequest(_ message: String, tensor: String? = nil) -> IngestionError {
        IngestionError(status: 400, message, tensor: tensor)
    }

    public var description: String { tensor.map { "\($0): \(message)" } ?? message }
}
