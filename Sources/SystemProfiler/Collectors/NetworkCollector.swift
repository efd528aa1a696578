/// Network throughput from `/proc/net/dev` of the sampler's network namespace (inside a container,
/// the container's interfaces), summed over every interface but loopback: SageMaker's `network`
/// records `ReceiveBytesPerSecond` and `TransmitBytesPerSecond`.
///
/// SageMaker splits them by Dimension into `Algorithm` (the training container's traffic) and
/// `Platform` (its own agents'); a sidecar sees only the container's side, so it writes
/// `Algorithm`. Type and Dimension are inferred (smdebug-formats.md C.2).
public final class NetworkCollector: Collector {
    public let name = "network"
    private let file: CachedKernelFile
    private var previous = Previous<(receive: UInt64, transmit: UInt64)>()

    public init(procRoot: String) {
        file = CachedKernelFile(path: "\(procRoot)/\(ProcNetDev.relativePath)")
    }

    public func collect(_ context: CollectContext, into records: inout [SystemRecord]) throws {
        let dev = try ProcNetDev.parse(file.read(), path: file.path)
        var receive: UInt64 = 0, transmit: UInt64 = 0
        for interface in dev.interfaces where interface.name != "lo" {
            receive &+= interface.receiveBytes
            transmit &+= interface.transmitBytes
        }
        guard let (old, seconds) = previous.advance(to: (receive, transmit), at: context.monotonicNanoseconds) else { return }
        records.append(SystemRecord(type: "network", name: "ReceiveBytesPerSecond", dimension: "Algorithm",
                                    value: Double(delta(receive, old.receive)) / seconds, smdebug: true))
        records.append(SystemRecord(type: "network", name: "TransmitBytesPerSecond", dimension: "Algorithm",
                                    value: Double(delta(transmit, old.transmit)) / seconds, smdebug: true))
    }
}
