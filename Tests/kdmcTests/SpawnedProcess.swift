import Foundation

/// A child started with posix_spawn, for long-lived children (daemons, `sbatch --wait`) that run
/// while other children come and go. Foundation's Process is not used for them: it watches for
/// a child's exit through a socket the child inherits, so a daemon that closes its inherited
/// descriptors looks finished and Foundation's monitor then blocks in waitpid on it, stalling
/// every later Process. The child starts with no blocked signals, its output in a file.
final class SpawnedProcess {
    let pid: pid_t
    let name: String
    private(set) var exitStatus: Int32?

    /// - Parameters: `output` receives stdout and stderr; `directory` is the working folder.
    init(_ executable: String, _ arguments: [String], environment: [String: String],
         directory: URL, output: URL) throws {
        name = URL(fileURLWithPath: executable).lastPathComponent
        // posix_spawn cannot change folder: a shell does, then becomes the program.
        let argv = ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", directory.path, executable] + arguments
        let envp = environment.map { "\($0.key)=\($0.value)" }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGUSR1, SIGUSR2, SIGHUP, SIGPIPE, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var cArguments = argv.map { strdup($0) } + [nil]
        var cEnvironment = envp.map { strdup($0) } + [nil]
        defer {
            cArguments.forEach { free($0) }
            cEnvironment.forEach { free($0) }
        }
        var child: pid_t = 0
        let result = posix_spawn(&child, "/bin/sh", &actions, &attributes, &cArguments, &cEnvironment)
        guard result == 0 else {
            throw SlurmTestError("cannot start \(executable): \(String(cString: strerror(result)))")
        }
        pid = child
    }

    /// Reaps the child if it has ended (exit status, or 128 + signal).
    var isRunning: Bool {
        if exitStatus != nil { return false }
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        if result == pid {
            exitStatus = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
            return false
        }
        return result == 0
    }

    /// Waits up to `seconds`; true when the child has ended.
    @discardableResult
    func wait(seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while isRunning {
            if Date() > deadline { return false }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return true
    }

    /// SIGTERM, then SIGKILL after `grace` seconds; always reaps.
    func stop(grace: Double = 10) {
        guard isRunning else { return }
        kill(pid, SIGTERM)
        if !wait(seconds: grace) {
            kill(pid, SIGKILL)
            wait(seconds: 10)
        }
    }
}
