import ServiceLifecycle

/// The sampler as a ServiceLifecycle service: `run()` starts the sampler's thread and returns when
/// it ends, at the end of the configured duration, on graceful shutdown (SIGTERM in a
/// ServiceGroup) or on cancellation; in every case after the sinks' last flush.
public struct SamplerService: Service {
    public let sampler: Sampler

    public init(_ sampler: Sampler) {
        self.sampler = sampler
    }

    public func run() async throws {
        let sampler = self.sampler
        sampler.start()
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                await sampler.waitUntilFinished()
            } onCancel: {
                sampler.requestStop()
            }
        } onGracefulShutdown: {
            sampler.requestStop()
        }
    }
}
