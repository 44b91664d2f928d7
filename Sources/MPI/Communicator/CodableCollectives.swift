import Foundation

/// Collectives over `Codable` values, sent as JSON bytes: for configuration and results that
/// are not flat arrays of numbers. Non-finite doubles travel as the strings below.
extension Communicator {
    /// Sends `value` from `root` to every rank and returns it everywhere. The root must pass a
    /// value; other ranks pass nil (anything they pass is ignored).
    ///
    /// The root broadcasts the byte count, then the bytes. If the root cannot encode the value
    /// it broadcasts -1 instead, so every rank throws `.serialization` rather than hanging.
    package func broadcast<T: Codable>(_ value: T?, root: Int) throws(MPIError) -> T {
        let isSender = rank == root
        var bytes: [UInt8] = []
        var encodingError: String?
        if isSender {
            guard let value else {
                preconditionFailure("broadcast: the root rank \(root) must pass a value")
            }
            do { bytes = try CodableWire.encode(value) } catch { encodingError = "\(error)" }
        }
        var header: [Int64] = [encodingError == nil ? Int64(bytes.count) : -1]
        try broadcast(&header, root: root)
        guard header[0] >= 0 else {
            throw MPIError(reason: .serialization, function: "Communicator.broadcast",
                           message: "rank \(root) could not encode a \(T.self) for broadcast"
                               + (encodingError.map { ": \($0)" } ?? ""))
        }
        if !isSender { bytes = [UInt8](repeating: 0, count: Int(header[0])) }
        try broadcast(&bytes, root: root)
        if isSender, let value { return value }
        return try CodableWire.decode(T.self, from: bytes, sender: root)
    }

    /// Collects one value per rank at `root`, in rank order; nil elsewhere. A rank that cannot
    /// encode its value sends nothing and throws; the root then throws `.serialization` too.
    package func gather<T: Codable>(value: T, root: Int) throws(MPIError) -> [T]? {
        var bytes: [UInt8] = []
        var encodingError: MPIError?
        do {
            bytes = try CodableWire.encode(value)
        } catch {
            encodingError = MPIError(reason: .serialization, function: "Communicator.gather",
                                     message: "rank \(rank) could not encode a \(T.self): \(error)")
        }
        let gathered = try gatherv(bytes, root: root)
        if let encodingError { throw encodingError }
        guard let gathered else { return nil }
        var values: [T] = []
        values.reserveCapacity(gathered.count)
        for (sender, bytes) in gathered.enumerated() {
            values.append(try CodableWire.decode(T.self, from: bytes, sender: sender))
        }
        return values
    }
}

/// The byte format of the `Codable` collectives. The value is wrapped in a one-element array so
/// that scalars and strings are valid top-level JSON on every Foundation.
enum CodableWire {
    static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: infinity, negativeInfinity: "-" + infinity, nan: nan)
        return [UInt8](try encoder.encode([value]))
    }

    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8],
                                     sender: Int) throws(MPIError) -> T {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: infinity, negativeInfinity: "-" + infinity, nan: nan)
        do {
            let wrapped = try decoder.decode([T].self, from: Data(bytes))
            guard wrapped.count == 1 else {
                throw DecodingError.dataCorrupted(.init(codingPath: [],
                    debugDescription: "expected one value, got \(wrapped.count)"))
            }
            return wrapped[0]
        } catch {
            throw MPIError(reason: .serialization, function: "Communicator",
                           message: "cannot decode a \(T.self) from the \(bytes.count) bytes "
                               + "sent by rank \(sender): \(error)")
        }
    }

    private static let infinity = "Infinity"
    private static let nan = "NaN"
}
