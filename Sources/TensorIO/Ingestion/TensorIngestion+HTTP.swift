import Foundation
import Hummingbird
import NIOCore

/// The HTTP API, mounted on the sidecar's server:
///
/// - `POST /v1/tensors`: a JSON batch (`TensorBatch.decodeJSON`).
/// - `PUT /v1/tensors/<name>?step=N[&mode=TRAIN][&mode_step=M][&worker=W][&collections=a,b][&close_step=1]`:
///   one tensor as a NumPy `.npy` body. The name is the rest of the path, percent-decoded, so
///   `dense/weight` may be sent as is or as `dense%2Fweight`.
/// - `POST /v1/tensors/flush`: closes every open step (readers see them) and flushes TensorBoard.
///
/// Answers 200 with what was saved (`{"saved": [...], "skipped": [...], ...}`), 400 with the reason
/// for a malformed request, 409 for a step that went back or a tensor given twice, 413 for a body over
/// the limit, 500 when the disk refuses.
extension TensorIngestion {
    public func register<Context: RequestContext>(on router: Router<Context>) {
        router.post("v1/tensors") { request, _ -> Response in
            let type = request.headers[.contentType]?.lowercased() ?? ""
            if type.hasPrefix("application/x-npz") || type.hasPrefix("application/zip") {
                return await self.handleNPZ(request)
            }
            return await self.handleJSON(request)
        }
        router.post("v1/tensors/flush") { _, _ -> Response in
            do {
                try self.flush()
                return Self.json(200, #"{"flushed": true}"#)
            } catch {
                return Self.error(IngestionError(status: 500, "\(error)"))
            }
        }
        router.put("v1/tensors/**") { request, context -> Response in
            let components = context.parameters.getCatchAll().map { $0.removingPercentEncoding ?? String($0) }
            return await self.handleNPY(request, name: components.joined(separator: "/"))
        }
    }

    func handleJSON(_ request: Request) async -> Response {
        await handle { () async throws(IngestionError) -> (TensorBatch, Int) in
            let limits = self.configuration.limits
            let body = try await Self.collect(request, limit: min(limits.maxJSONBytes, limits.maxBodyBytes),
                                              what: "JSON batch (send large tensors as .npy with PUT, .npz, or data_base64)").get()
            return (try TensorBatch.decodeJSON(Array(buffer: body), limits: limits), body.readableBytes)
        }
    }

    /// The batch's step, mode, worker… from the query (`PUT` of one .npy, `POST` of an .npz).
    static func batchFromQuery(_ request: Request) throws(IngestionError) -> (TensorBatch, [String]) {
        let query = request.uri.queryParameters
        func param(_ key: String) -> String? { query[key[...]].map(String.init) }
        var batch = TensorBatch(step: 0, items: [])
        guard let stepText = param("step") else { throw IngestionError.badRequest("the step query parameter is required") }
        guard let step = Int64(stepText), step >= 0 else { throw IngestionError.badRequest("step must be an integer >= 0") }
        batch.step = step
        if let m = param("mode") {
            guard let mode = TrainingMode(name: m) else { throw IngestionError.badRequest("mode must be one of TRAIN, EVAL, PREDICT, GLOBAL") }
            batch.mode = mode
        }
        if let ms = param("mode_step") {
            guard let n = Int64(ms), n >= 0 else { throw IngestionError.badRequest("mode_step must be an integer >= 0") }
            batch.modeStep = n
        }
        if let w = param("worker") { batch.worker = w }
        if let t = param("wall_time") {
            guard let d = Double(t), d.isFinite else { throw IngestionError.badRequest("wall_time must be seconds since the epoch") }
            batch.wallTime = d
        }
        if let c = param("close_step") { batch.closeStep = ["1", "true", "True"].contains(c) }
        let collections = param("collections").map { $0.split(separator: ",").map { String($0) } } ?? []
        return (batch, collections)
    }

    func handleNPY(_ request: Request, name: String) async -> Response {
        await handle { () async throws(IngestionError) -> (TensorBatch, Int) in
            var (batch, collections) = try Self.batchFromQuery(request)
            guard !name.isEmpty else { throw .badRequest("give the tensor name in the path: PUT /v1/tensors/<name>") }
            let body = try await Self.collect(request, limit: self.configuration.limits.maxBodyBytes, what: ".npy body").get()
            do {
                let tensor = try Self.npyTensor(name: name, in: body, range: 0..<body.readableBytes,
                                                maxDimensions: self.configuration.limits.maxDimensions)
                batch.items = [TensorBatch.Item(tensor: tensor, collections: collections)]
            } catch {
                throw .badRequest("\(error)", tensor: name)
            }
            return (batch, body.readableBytes)
        }
    }

    /// `POST /v1/tensors?step=…` with an `.npz` body (`numpy.savez`): every member is a tensor of
    /// the batch, named by its member name.
    func handleNPZ(_ request: Request) async -> Response {
        await handle { () async throws(IngestionError) -> (TensorBatch, Int) in
            var (batch, collections) = try Self.batchFromQuery(request)
            let limits = self.configuration.limits
            let body = try await Self.collect(request, limit: limits.maxBodyBytes, what: ".npz body").get()
            let members: [NPZ.Member]
            do {
                members = try body.withUnsafeReadableBytes { (raw) throws(NPY.Error) in try NPZ.members(raw) }
            } catch {
                throw .badRequest("\(error)")
            }
            guard members.count <= limits.maxTensorsPerRequest else {
                throw IngestionError(status: 413, "\(members.count) tensors in one request; at most \(limits.maxTensorsPerRequest)")
            }
            for m in members {
                do {
                    let t = try Self.npyTensor(name: m.name, in: body, range: m.range, maxDimensions: limits.maxDimensions)
                    batch.items.append(TensorBatch.Item(tensor: t, collections: collections))
                } catch {
                    throw .badRequest("\(error)", tensor: m.name)
                }
            }
            return (batch, body.readableBytes)
        }
    }

    /// Decodes (a failure is a counted rejection), then ingests (which counts its own).
    func handle(_ decode: () async throws(IngestionError) -> (TensorBatch, Int)) async -> Response {
        let batch: TensorBatch, bytes: Int
        do {
            (batch, bytes) = try await decode()
        } catch {
            noteRejected()
            return Self.error(error)
        }
        do {
            return Self.success(try ingest(batch, bodyBytes: bytes))
        } catch {
            return Self.error(error)
        }
    }

    /// A tensor from the `.npy` bytes at `range` of `buffer`. Little-endian C-order data (what
    /// `numpy.save` writes on every common machine) is not copied: the tensor's bytes stay in the
    /// request buffer, which they keep alive.
    static func npyTensor(name: String, in buffer: ByteBuffer, range: Range<Int>, maxDimensions: Int) throws(NPY.Error) -> Tensor {
        try buffer.withUnsafeReadableBytesWithStorageManagement { (all, storage) throws(NPY.Error) -> Tensor in
            let bytes = UnsafeRawBufferPointer(rebasing: all[range])
            let h = try NPY.parseHeader(bytes)
            try NPY.checkDataSize(h, dataCount: bytes.count - h.dataOffset, maxDimensions: maxDimensions)
            let count = bytes.count - h.dataOffset
            let data: Data
            if count > 0 && !h.bigEndian && !(h.fortranOrder && h.shape.count > 1) {
                _ = storage.retain()
                data = Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: bytes.baseAddress! + h.dataOffset), count: count,
                            deallocator: .custom { _, _ in storage.release() })
            } else {
                data = Data(UnsafeRawBufferPointer(rebasing: bytes[h.dataOffset...]))
            }
            return NPY.tensor(name: name, header: h, data: data)
        }
    }

    static func collect(_ request: Request, limit: Int, what: String) async -> Swift.Result<ByteBuffer, IngestionError> {
        let length = request.headers[.contentLength].flatMap { Int($0) }
        if let length, length > limit {
            return .failure(IngestionError(status: 413, "the \(what) is \(length) bytes; at most \(limit)"))
        }
        do {
            // One allocation of the announced size: no copies as the body grows.
            var buffer = ByteBufferAllocator().buffer(capacity: length ?? 0)
            try await request.body.collect(upTo: limit, into: &buffer)
            return .success(buffer)
        } catch is NIOTooManyBytesError {
            return .failure(IngestionError(status: 413, "the \(what) is over \(limit) bytes"))
        } catch {
            return .failure(IngestionError(status: 400, "cannot read the body: \(error)"))
        }
    }

    static func success(_ r: Result) -> Response {
        var j = PythonJSON()
        j.object { j, key in
            key(&j, "step"); j.int(r.step)
            key(&j, "mode"); j.string(r.mode.rawValue)
            key(&j, "mode_step"); j.int(r.modeStep)
            key(&j, "worker"); j.string(r.worker)
            for (k, list) in [("saved", r.saved), ("shapes", r.shapes), ("reductions", r.reductions), ("skipped", r.skipped),
                              ("histograms", r.histograms), ("scalars", r.scalars)] {
                key(&j, k); j.array(list) { j, s in j.string(s) }
            }
        }
        return response(200, j.bytes)
    }

    static func error(_ e: IngestionError) -> Response {
        var j = PythonJSON()
        j.object { j, key in
            key(&j, "error"); j.string(e.message)
            if let t = e.tensor { key(&j, "tensor"); j.string(t) }
        }
        return response(e.status, j.bytes)
    }

    static func json(_ status: Int, _ text: String) -> Response { response(status, Array(text.utf8)) }

    static func response(_ status: Int, _ body: [UInt8]) -> Response {
        var bytes = body
        bytes.append(UInt8(ascii: "\n"))
        return Response(status: HTTPResponse.Status(code: status), headers: [.contentType: "application/json"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
