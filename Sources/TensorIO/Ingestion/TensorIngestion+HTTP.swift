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
            await self.handleJSON(request)
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
        let limit = min(configuration.limits.maxJSONBytes, configuration.limits.maxBodyBytes)
        let body: ByteBuffer
        switch await Self.collect(request, limit: limit, what: "JSON batch (send large tensors as .npy with PUT, or as data_base64)") {
        case .failure(let e): noteRejected(); return Self.error(e)
        case .success(let b): body = b
        }
        let batch: TensorBatch
        do {
            batch = try TensorBatch.decodeJSON(Array(buffer: body), limits: configuration.limits)
        } catch {
            noteRejected(bodyBytes: body.readableBytes)
            return Self.error(error)
        }
        do {
            return Self.success(try ingest(batch, bodyBytes: body.readableBytes))
        } catch {
            return Self.error(error)
        }
    }

    func handleNPY(_ request: Request, name: String) async -> Response {
        let query = request.uri.queryParameters
        func param(_ key: String) -> String? { query[key[...]].map(String.init) }
        var batch = TensorBatch(step: 0, items: [])
        do {
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
            guard !name.isEmpty else { throw IngestionError.badRequest("give the tensor name in the path: PUT /v1/tensors/<name>") }
            let body: ByteBuffer
            switch await Self.collect(request, limit: configuration.limits.maxBodyBytes, what: ".npy body") {
            case .failure(let e): throw e
            case .success(let b): body = b
            }
            let tensor: Tensor
            do {
                tensor = try body.withUnsafeReadableBytes { raw throws(NPY.Error) in
                    try NPY.tensor(name: name, from: raw, maxDimensions: configuration.limits.maxDimensions)
                }
            } catch {
                throw IngestionError.badRequest(error.description, tensor: name)
            }
            batch.items = [TensorBatch.Item(tensor: tensor, collections: collections)]
            return Self.success(try ingest(batch, bodyBytes: body.readableBytes))
        } catch let e as IngestionError {
            if batch.items.isEmpty { noteRejected() }
            return Self.error(e)
        } catch {
            return Self.error(IngestionError(status: 500, "\(error)"))
        }
    }

    static func collect(_ request: Request, limit: Int, what: String) async -> Swift.Result<ByteBuffer, IngestionError> {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            return .failure(IngestionError(status: 413, "the \(what) is \(length) bytes; at most \(limit)"))
        }
        do {
            return .success(try await request.body.collect(upTo: limit))
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
