import Foundation

/// The preset experiments in jobs/experiments: from KDMC_PRESETS when set, else the first
/// jobs/experiments found going up from the executable's folder, then from the current folder.
struct PresetLibrary {
    let folder: URL

    static let environmentKey = "KDMC_PRESETS"

    static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> PresetLibrary {
        if let override = environment[environmentKey], !override.isEmpty {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: override, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw CommandFailure("\(environmentKey)=\(override) is not a folder; point it at a folder of preset JSON files or unset it")
            }
            return PresetLibrary(folder: URL(fileURLWithPath: override))
        }
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let starts = [executable.deletingLastPathComponent(),
                      URL(fileURLWithPath: FileManager.default.currentDirectoryPath)]
        for start in starts {
            var folder = start.standardizedFileURL
            while true {
                let candidate = folder.appendingPathComponent("jobs/experiments")
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), isDirectory.boolValue {
                    return PresetLibrary(folder: candidate)
                }
                let parent = folder.deletingLastPathComponent()
                if parent.path == folder.path { break }
                folder = parent
            }
        }
        throw CommandFailure("no jobs/experiments folder found above the kdmc executable or the current folder; set \(environmentKey) to the presets folder")
    }

    /// Preset names (file names without .json), sorted.
    func names() throws -> [String] {
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        } catch {
            throw CommandFailure("cannot list \(folder.path): \(error.localizedDescription)")
        }
        return files.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }

    func preset(named name: String) throws -> URL {
        let stem = name.hasSuffix(".json") ? String(name.dropLast(5)) : name
        let url = folder.appendingPathComponent(stem + ".json")
        guard FileManager.default.fileExists(atPath: url.path) else {
            let known = (try? names())?.joined(separator: ", ") ?? ""
            throw CommandFailure("no preset named \(name) in \(folder.path); known presets: \(known) (see kdmc list)")
        }
        return url
    }
}
