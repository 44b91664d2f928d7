import Foundation
import Testing

/// A real one-node Slurm for the job-script tests (the shared SLURM-LOCAL recipe): its own
/// munged, slurmctld and slurmd, started here with a private slurm.conf (SLURM_CONF), its own
/// ports, state, spool, log and munge socket under a scratch folder, and stopped by the process
/// ids started here (see SpawnedProcess for why not Foundation's Process). Needs root (slurmd
/// launches the jobs) and the Debian packages slurm-wlm and munge (`make deps` installs them);
/// installs nothing itself.
final class LocalSlurm {
    let folder: URL
    let host: String
    /// SLURM_CONF and PATH for the Slurm clients (sbatch, scancel, sinfo) and the jobs.
    let environment: [String: String]
    private var daemons: [SpawnedProcess] = []

    static let tools = ["munged", "slurmctld", "slurmd", "sbatch", "scancel", "sinfo", "scontrol"]

    init() throws {
        try #require(getuid() == 0, "the Slurm test starts slurmd, which must run as root; run the tests as root")
        var tools: [String: URL] = [:]
        var missing: [String] = []
        for tool in Self.tools {
            if let url = Self.find(tool) { tools[tool] = url } else { missing.append(tool) }
        }
        try #require(missing.isEmpty,
                     "the Slurm test needs \(missing.joined(separator: ", ")) (Debian packages slurm-wlm and munge: run make deps)")

        folder = FileManager.default.temporaryDirectory.appendingPathComponent("kdmc-slurm-\(UUID().uuidString.prefix(8))")
        let manager = FileManager.default
        for sub in ["state", "spool", "log", "munge"] {
            try manager.createDirectory(at: folder.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        // munged wants its socket folder readable by all and its key private.
        try manager.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.path)
        try manager.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.appendingPathComponent("munge").path)
        let key = folder.appendingPathComponent("munge/munge.key")
        var generator = SystemRandomNumberGenerator()
        try Data((0..<1024).map { _ in UInt8.random(in: 0...255, using: &generator) }).write(to: key)
        try manager.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key.path)

        host = Self.shortHostName()
        let ports = try Self.freePorts(2)
        let socket = folder.appendingPathComponent("munge/munge.socket").path
        let conf = folder.appendingPathComponent("slurm.conf")
        let cpus = ProcessInfo.processInfo.activeProcessorCount
        // Addresses are given so that nothing depends on the host name resolving.
        // MinJobAge below 8 s keeps `sbatch --wait` polling every 2 s (it backs off to 32 s
        // otherwise); a finished job stays visible that long.
        try """
        ClusterName=kdmctest
        SlurmctldHost=\(host)(127.0.0.1)
        SlurmctldPort=\(ports[0])
        SlurmdPort=\(ports[1])
        AuthType=auth/munge
        CredType=cred/munge
        AuthInfo=socket=\(socket)
        ProctrackType=proctrack/linuxproc
        TaskPlugin=task/none
        SlurmUser=root
        SlurmdUser=root
        StateSaveLocation=\(folder.path)/state
        SlurmdSpoolDir=\(folder.path)/spool
        SlurmctldPidFile=\(folder.path)/slurmctld.pid
        SlurmdPidFile=\(folder.path)/slurmd.pid
        SlurmctldLogFile=\(folder.path)/log/slurmctld.log
        SlurmdLogFile=\(folder.path)/log/slurmd.log
        SchedulerType=sched/backfill
        SelectType=select/cons_tres
        SelectTypeParameters=CR_Core
        ReturnToService=2
        MpiDefault=none
        MinJobAge=6
        KillWait=5
        NodeName=\(host) NodeAddr=127.0.0.1 CPUs=\(cpus) State=UNKNOWN
        PartitionName=debug Nodes=\(host) Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES

        """.write(to: conf, atomically: true, encoding: .utf8)

        var environment = ProcessInfo.processInfo.environment
        removeLauncherVariables(&environment)
        environment["SLURM_CONF"] = conf.path
        environment["PATH"] = (environment["PATH"] ?? "/usr/bin:/bin") + ":/usr/sbin:/sbin"
        self.environment = environment

        do {
            try start("munged", tools["munged"]!, ["-F", "--force", "--socket=\(socket)",
                                                   "--key-file=\(key.path)",
                                                   "--pid-file=\(folder.path)/munge/munged.pid",
                                                   "--seed-file=\(folder.path)/munge/munged.seed",
                                                   "--log-file=\(folder.path)/log/munged.log"])
            try waitFor("munged's socket", seconds: 20) { FileManager.default.fileExists(atPath: socket) }
            try start("slurmctld", tools["slurmctld"]!, ["-D", "-i"])
            try start("slurmd", tools["slurmd"]!, ["-D"])
            try waitFor("the node to be idle (sinfo)", seconds: 40) {
                (try? self.run("sinfo", ["-h", "-o", "%T"]).stdout.contains("idle")) == true
            }
        } catch {
            stop()
            throw error
        }
    }

    /// Cancels whatever is left and stops the daemons started here (by process id), last first.
    func stop() {
        if daemons.contains(where: { $0.name == "slurmctld" && $0.isRunning }) {
            _ = try? run("scancel", ["--full", "--signal=KILL", "--user=root"])
            _ = try? waitFor("the queue to empty", seconds: 15) {
                (try? self.run("squeue", ["-h"]).stdout.isEmpty) ?? true
            }
        }
        for daemon in daemons.reversed() { daemon.stop() }
        if !daemons.isEmpty { try? FileManager.default.removeItem(at: folder) }
        daemons.removeAll()
    }

    deinit { stop() }

    /// The daemons' logs, for a failing test's message.
    func logs() -> String {
        ["slurmctld.log", "slurmd.log", "munged.log"].map { name in
            let text = (try? String(contentsOf: folder.appendingPathComponent("log/\(name)"), encoding: .utf8)) ?? ""
            return "== \(name)\n" + text.split(separator: "\n").suffix(15).joined(separator: "\n")
        }.joined(separator: "\n")
    }

    /// Runs a Slurm client to its end.
    func run(_ tool: String, _ arguments: [String], in directory: URL? = nil) throws -> Outcome {
        try launch(URL(fileURLWithPath: "/usr/bin/env"), [tool] + arguments,
                   environment: environment.mapValues { Optional($0) }, in: directory ?? folder)
    }

    /// Starts `sbatch --wait …` in the background; its own output goes to `log`.
    func submit(_ arguments: [String], in directory: URL, log: URL) throws -> SpawnedProcess {
        try SpawnedProcess(Self.find("sbatch")!.path, ["--wait"] + arguments, environment: environment,
                           directory: directory, output: log)
    }

    /// Submits jobs/slurm.sbatch on 2 tasks for `preset` (found in `presets`) into `out`, as the
    /// job-script tests do; the job's log and sbatch's own output are NAME.log and NAME.sbatch
    /// in `folder`.
    func submitJobScript(_ name: String, preset: String, out: String, presets: URL,
                         in folder: URL) throws -> (process: SpawnedProcess, log: URL) {
        let log = folder.appendingPathComponent("\(name).log")
        let script = TestFiles.packageRoot.appendingPathComponent("jobs/slurm.sbatch").path
        let process = try submit(["--job-name=\(name)", "--ntasks=2", "--output=\(log.path)",
                                  "--export=ALL,KDMC=\(TestFiles.executable.path),KDMC_PRESETS=\(presets.path),KDMC_PROGRESS_SECONDS=0",
                                  script, preset, out],
                                 in: folder, log: folder.appendingPathComponent("\(name).sbatch"))
        return (process, log)
    }

    private func start(_ name: String, _ executable: URL, _ arguments: [String]) throws {
        daemons.append(try SpawnedProcess(executable.path, arguments, environment: environment, directory: folder,
                                          output: folder.appendingPathComponent("log/\(name).out")))
    }

    /// Polls `condition` every 0.2 s; throws (with the daemons' logs) after `seconds`.
    func waitFor(_ what: String, seconds: Double, _ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() {
            if Date() > deadline {
                throw SlurmTestError("gave up waiting \(Int(seconds)) s for \(what)\n\(logs())")
            }
            for daemon in daemons where !daemon.isRunning {
                throw SlurmTestError("\(daemon.name) exited with status \(daemon.exitStatus ?? -1) while waiting for \(what)\n\(logs())")
            }
            Thread.sleep(forTimeInterval: 0.2)
        }
    }

    static func find(_ tool: String) -> URL? {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/sbin:/sbin:/usr/local/sbin"
        for folder in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent(tool)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    /// slurmd registers under the short host name.
    static func shortHostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, buffer.count)
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return String(name.split(separator: ".").first ?? "localhost")
    }

    /// Ports the kernel says are free now (bound to port 0, then released).
    static func freePorts(_ count: Int) throws -> [UInt16] {
        var ports: [UInt16] = []
        var sockets: [Int32] = []
        defer { sockets.forEach { close($0) } }
        for _ in 0..<count {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw SlurmTestError("socket() failed") }
            sockets.append(fd)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = 0
            address.sin_addr.s_addr = INADDR_ANY
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                    bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
                }
            }
            guard bound else { throw SlurmTestError("could not find a free port") }
            ports.append(UInt16(bigEndian: address.sin_port))
        }
        return ports
    }
}

struct SlurmTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
