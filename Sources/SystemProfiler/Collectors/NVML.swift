import CNVMLShim

/// NVML (libnvidia-ml), opened with dlopen at run time: a machine without the NVIDIA driver simply
/// has no GPU collector. `TRAINSCOPE_NVML_LIBRARY` names another library to load (the tests' fake).
public final class NVML {
    public static let defaultLibrary = "libnvidia-ml.so.1"
    public static let libraryEnvironmentVariable = "TRAINSCOPE_NVML_LIBRARY"

    public struct Error: Swift.Error, CustomStringConvertible {
        public let description: String
    }

    public struct Memory: Sendable, Equatable {
        public var total: UInt64
        public var used: UInt64
    }

    private let library: OpaquePointer
    private var devices: [UnsafeMutableRawPointer] = []
    private var initialized = false

    /// Loads the library and initializes NVML; throws with dlerror's or NVML's message.
    public init(path: String) throws(Error) {
        var message = [CChar](repeating: 0, count: 512)
        guard let library = cnvml_open(path, &message, message.count) else {
            throw Error(description: "cannot load \(path): \(String(cString: message))")
        }
        self.library = library
        let rc = cnvml_init(library)
        guard rc == 0 else {
            let text = String(cString: cnvml_error_string(library, rc))
            cnvml_close(library)
            throw Error(description: "nvmlInit failed: \(text) (\(rc))")
        }
        initialized = true
        var count: UInt32 = 0
        try check(cnvml_device_count(library, &count), "nvmlDeviceGetCount")
        for index in 0..<count {
            var device: UnsafeMutableRawPointer?
            try check(cnvml_device_handle(library, index, &device), "nvmlDeviceGetHandleByIndex(\(index))")
            guard let device else { throw Error(description: "nvmlDeviceGetHandleByIndex(\(index)) gave no handle") }
            devices.append(device)
        }
    }

    deinit { shutdown() }

    public var deviceCount: Int { devices.count }

    /// Percent of the last sample period in which a kernel ran on device `index`.
    public func utilization(_ index: Int) throws(Error) -> (gpu: UInt32, memory: UInt32) {
        var u = cnvml_utilization()
        try check(cnvml_device_utilization(library, devices[index], &u), "nvmlDeviceGetUtilizationRates(\(index))")
        return (u.gpu, u.memory)
    }

    public func memory(_ index: Int) throws(Error) -> Memory {
        var m = cnvml_memory()
        try check(cnvml_device_memory(library, devices[index], &m), "nvmlDeviceGetMemoryInfo(\(index))")
        return Memory(total: m.total, used: m.used)
    }

    public func shutdown() {
        guard initialized else { return }
        initialized = false
        _ = cnvml_shutdown(library)
        cnvml_close(library)
    }

    private func check(_ rc: Int32, _ call: String) throws(Error) {
        guard rc == 0 else {
            throw Error(description: "\(call) failed: \(String(cString: cnvml_error_string(library, rc))) (\(rc))")
        }
    }
}
