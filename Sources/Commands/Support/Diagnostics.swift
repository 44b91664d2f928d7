import Foundation

/// A failure the user can act on; `message` says what is wrong and how to fix it.
struct CommandFailure: Error {
    var message: String
    var status: Int32

    init(_ message: String, status: Int32 = 1) {
        self.message = message
        self.status = status
    }

    /// An experiment file with problems (already printed).
    static let invalidExperimentStatus: Int32 = 2
}

enum Diagnostics {
    /// Under mpirun every rank runs the same checks; only the first rank speaks, so each
    /// problem appears once. Read from the launcher's environment, before MPI starts.
    static let isLeadRank: Bool = {
        let env = ProcessInfo.processInfo.environment
        for key in ["OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK", "SLURM_PROCID"] {
            if let rank = env[key] { return rank == "0" }
        }
        return true
    }()

    static func error(_ message: String) {
        line("kdmc: " + message)
    }

    /// One line on stderr (lead rank only).
    static func line(_ text: String) {
        guard isLeadRank else { return }
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Text as is on stderr, without a newline (lead rank only).
    static func raw(_ text: String) {
        guard isLeadRank else { return }
        FileHandle.standardError.write(Data(text.utf8))
    }
}
