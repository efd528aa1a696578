import Hummingbird
import Logging
import NIOCore

/// Serves `/metrics` (and `/healthz`) over HTTP. The families come from a closure so the server knows
/// nothing about where they are kept; binding happens before the caller starts the child, which is
/// how "port in use" becomes an error before anything runs.
public struct MetricsServer: Sendable {
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        public init(host: String = "127.0.0.1", port: Int = MetricsServer.defaultPort) {
            self.host = host
            self.port = port
        }
    }

    /// trainscope's default scrape port. 9478 is not taken in Prometheus's default port allocations.
    public static let defaultPort = 9478

    public let configuration: Configuration
    public let families: @Sendable () -> [MetricFamily]
    public let logger: Logger
    /// Registers more routes next to `/metrics` and `/healthz` (the tensor-ingestion API, for one).
    public let extraRoutes: (@Sendable (Router<BasicRequestContext>) -> Void)?

    public init(configuration: Configuration, logger: Logger,
                extraRoutes: (@Sendable (Router<BasicRequestContext>) -> Void)? = nil,
                families: @escaping @Sendable () -> [MetricFamily]) {
        self.configuration = configuration
        self.families = families
        self.logger = logger
        self.extraRoutes = extraRoutes
    }

    /// The Hummingbird application; `onRunning` is called with the bound port once it listens.
    public func application(onRunning: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
        let router = Router()
        let families = self.families
        router.get("metrics") { _, _ -> Response in
            var bytes: [UInt8] = []
            bytes.reserveCapacity(16 * 1024)
            PrometheusTextEncoder.encode(families(), into: &bytes)
            return Response(status: .ok, headers: [.contentType: PrometheusTextEncoder.contentType],
                            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        router.get("healthz") { _, _ -> String in "ok\n" }
        extraRoutes?(router)
        return Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port),
                                 serverName: "trainscope"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: logger
        )
    }
}
