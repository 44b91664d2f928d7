import Foundation
import MonteCarlo
import Report
import SystemIO

/// The output folder of `kdmc run`, written so that a good result is never lost:
///
/// - A lock (`.kdmc.lock`, flock) is held for the whole run; a second run into the same folder
///   is refused. The kernel drops the lock when the process ends, however it ends.
/// - The run keeps a list of the files it wrote (`.kdmc-files.json`) and only ever moves or
///   removes files on that list (or, in a folder written before the list existed, the fixed
///   output names), so a user's own files in the folder, in figures/ or in checkpoints/ stay.
/// - A fresh run first moves the earlier run's files into `previous/` (renames, no copy, so a
///   full disk cannot stop it); they are removed only after the new outputs are all in place.
/// - The finished outputs (curves.csv, summary.json, distributions.csv, running.csv,
///   report.html, figures/) are written whole
///   into a staging folder and renamed into place only when all of them are written, so a
///   failed write (a full disk) leaves no half-written output, and the earlier result is still
///   in `previous/`.
struct OutputFolder {
    let url: URL
    private let lock: FileLock
    private var ledger: Ledger

    static let lockName = ".kdmc.lock"
    static let ledgerName = ".kdmc-files.json"
    static let previousName = "previous"
    static let stagingName = ".kdmc-staging"

    /// The files of the runs in the folder, relative to it.
    struct Ledger: Codable, Equatable {
        /// Files of the current run (the last one started here).
        var files: [String] = []
        /// Files of the run before it, kept in previous/ until the current run completes.
        var previous: [String] = []
    }

    var path: String { url.path }
    var previousURL: URL { url.appendingPathComponent(Self.previousName) }
    var hasPrevious: Bool { !ledger.previous.isEmpty }

    /// Creates the folder if needed and takes its lock.
    static func open(_ url: URL) throws -> OutputFolder {
        let path = url.path
        do {
            try Files.makeFolder(path)
        } catch {
            throw CommandFailure("cannot create the output folder \(error.path): \(error.reason)")
        }
        let lock: FileLock
        do {
            lock = try FileLock.acquire(url.appendingPathComponent(lockName).path)
        } catch {
            switch error {
            case .held(_, let holder):
                throw CommandFailure("\(path) is in use by another kdmc run\(holder.map { " (process \($0))" } ?? ""); wait for it to finish or choose another --out folder")
            case .system(let e):
                throw CommandFailure("cannot lock the output folder \(path): \(e.operation) failed: \(e.reason)")
            }
        }
        return OutputFolder(url: url, lock: lock, ledger: try readLedger(url))
    }

    private static func readLedger(_ url: URL) throws -> Ledger {
        let ledgerPath = url.appendingPathComponent(ledgerName).path
        do {
            let bytes = try Files.readRegular(ledgerPath, limit: 1 << 26)
            return try JSONDecoder().decode(Ledger.self, from: Data(bytes))
        } catch Files.ReadProblem.missing {
            return Ledger(files: legacyFiles(url), previous: [])
        } catch {
            throw CommandFailure("cannot read \(ledgerPath): \(error); remove it if the folder holds no run you need")
        }
    }

    /// A folder written before the file list: the outputs by their fixed names, the checkpoints
    /// named by the run manifest, and the figures report.html shows.
    static func legacyFiles(_ url: URL) -> [String] {
        var files = ["curves.csv", "summary.json", DistributionsCSV.fileName, RunningCSV.fileName, ReportPage.fileName,
                     "checkpoints/" + RunManifest.fileName]
        if let manifest = try? JSONDecoder().decode(RunManifest.self, from: Data(contentsOf: RunFolder.manifestURL(url))) {
            files += manifest.checkpoints.map { "checkpoints/" + $0 }
        }
        if let html = try? String(contentsOf: url.appendingPathComponent(ReportPage.fileName), encoding: .utf8) {
            let figures = (try? Files.list(url.appendingPathComponent(ReportPage.figuresFolder).path)) ?? []
            files += figures.filter { $0.hasSuffix(".svg") && html.contains(ReportPage.figuresFolder + "/" + $0) }
                .map { ReportPage.figuresFolder + "/" + $0 }
        }
        return files.filter { Files.exists(url.appendingPathComponent($0).path) }
    }

    private func saveLedger() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try write(try encoder.encode(ledger), to: url.appendingPathComponent(Self.ledgerName))
    }

    /// Writes one file whole (fsync and rename), or fails with one line naming it.
    func write(_ data: Data, to file: URL) throws {
        do {
            try Files.writeAtomically(data, to: file.path)
        } catch {
            throw CommandFailure(Self.message(error))
        }
    }

    static func message(_ error: SystemError) -> String {
        "cannot write \(error.path): \(error.operation) failed: \(error.reason)"
    }

    /// A fresh run: the earlier run's files go to previous/ (or, when previous/ already holds a
    /// complete run because the earlier one was stopped or failed, the earlier files are
    /// dropped and previous/ is kept).
    mutating func startFresh() throws {
        let current = ledger.files.filter { Files.exists(url.appendingPathComponent($0).path) }
        let keepPrevious = hasPrevious
        // The list is saved before anything moves, so that if this stops half-way the files
        // are found on the list of where they were going.
        let before = ledger
        if !keepPrevious { ledger.previous = current }
        ledger.files = current
        try saveLedger()
        var handled: [String] = []
        var failure: SystemError?
        do throws(SystemError) {
            for file in current {
                if keepPrevious {
                    try Files.remove(url.appendingPathComponent(file).path)
                } else {
                    let target = previousURL.appendingPathComponent(file)
                    try Files.makeFolder(target.deletingLastPathComponent().path)
                    try Files.rename(url.appendingPathComponent(file).path, to: target.path)
                }
                handled.append(file)
            }
        } catch {
            failure = error
        }
        if let failure {
            // Put back what moved, so the folder is as it was.
            if !keepPrevious {
                for file in handled {
                    try? Files.rename(previousURL.appendingPathComponent(file).path, to: url.appendingPathComponent(file).path)
                }
                ledger = before
            } else {
                ledger.files = current.filter { !handled.contains($0) }
            }
            try? saveLedger()
            throw CommandFailure("cannot set the earlier run aside in \(previousURL.path): \(failure)")
        }
        ledger.files = []
        try saveLedger()
    }

    /// Records files the run is about to write, so that a later run can set them aside.
    mutating func claim(_ files: [String]) throws {
        let new = files.filter { !ledger.files.contains($0) }
        guard !new.isEmpty else { return }
        ledger.files += new
        try saveLedger()
    }

    /// Writes the finished outputs: each into the staging folder, then all renamed into
    /// place, then the earlier run in previous/ removed. `outputs` maps relative paths to
    /// their bytes.
    mutating func commit(_ outputs: [(path: String, data: Data)]) throws {
        try claim(outputs.map(\.path))
        let staging = url.appendingPathComponent(Self.stagingName)
        if let error = Self.stage(outputs, in: staging) {
            removeStaging(outputs.map(\.path))
            var text = Self.message(error)
            if hasPrevious { text += "; the earlier run's outputs are kept in \(previousURL.path)" }
            throw CommandFailure(text)
        }
        if let error = Self.move(outputs.map(\.path), from: staging, to: url) {
            throw CommandFailure("cannot move the outputs into \(path): \(error)")
        }
        removeStaging(outputs.map(\.path))
        try dropPrevious()
    }

    private static func stage(_ outputs: [(path: String, data: Data)], in staging: URL) -> SystemError? {
        do throws(SystemError) {
            for output in outputs {
                let file = staging.appendingPathComponent(output.path)
                try Files.makeFolder(file.deletingLastPathComponent().path)
                try Files.writeAtomically(output.data, to: file.path)
            }
            return nil
        } catch {
            return error
        }
    }

    private static func move(_ files: [String], from staging: URL, to folder: URL) -> SystemError? {
        do throws(SystemError) {
            for file in files {
                let target = folder.appendingPathComponent(file)
                try Files.makeFolder(target.deletingLastPathComponent().path)
                try Files.rename(staging.appendingPathComponent(file).path, to: target.path)
            }
            return nil
        } catch {
            return error
        }
    }

    private func removeStaging(_ files: [String]) {
        let staging = url.appendingPathComponent(Self.stagingName)
        for file in files { try? Files.remove(staging.appendingPathComponent(file).path) }
        Self.removeEmptyFolders(under: staging, files: files)
    }

    /// Removes the earlier run kept in previous/ (its listed files, then its folders if empty).
    private mutating func dropPrevious() throws {
        guard hasPrevious else { return }
        for file in ledger.previous { try? Files.remove(previousURL.appendingPathComponent(file).path) }
        Self.removeEmptyFolders(under: previousURL, files: ledger.previous)
        ledger.previous = []
        try saveLedger()
    }

    /// Removes the folders that held `files` (deepest first) and `root`, each only if empty.
    static func removeEmptyFolders(under root: URL, files: [String]) {
        var folders = Set<String>()
        for file in files {
            var parts = file.split(separator: "/").dropLast()
            while !parts.isEmpty {
                folders.insert(parts.joined(separator: "/"))
                parts = parts.dropLast()
            }
        }
        for folder in folders.sorted(by: { $0.count > $1.count }) {
            Files.removeFolderIfEmpty(root.appendingPathComponent(folder).path)
        }
        Files.removeFolderIfEmpty(root.path)
    }

    func release() { lock.release() }
}
