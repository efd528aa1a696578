/// A problem in a DebugHookConfig, with the JSON path of the member it concerns
/// (`HookParameters.save_interval`, `CollectionConfigurations[1].CollectionParameters.reductions`).
public struct HookConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }

    func under(_ prefix: String) -> HookConfigurationError {
        HookConfigurationError(path: path.isEmpty ? prefix : "\(prefix).\(path)", message: message)
    }
}

/// Every problem found in one configuration, reported together.
public struct HookConfigurationErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [HookConfigurationError]
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
