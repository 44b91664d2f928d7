internal import Glibc
package import SystemIO
import Synchronization

/// SIGTERM and SIGUSR1 (the wall-time warnings of Slurm and PBS) ask the run to checkpoint and
/// stop. The handler only sets an atomic flag; the engine looks at it on rank 0 at round
/// boundaries and broadcasts "checkpoint and stop", so all ranks leave together.
public enum InterruptSignals {
    private static let requested = Atomic<Bool>(false)

    /// Installs the handlers (idempotent) and unblocks both signals in the calling thread: a
    /// blocked mask is inherited from whatever started the process, and would hold the
    /// scheduler's warning back until the job is killed.
    package static func install() throws(SystemError) {
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for signal in [SIGTERM, SIGUSR1] {
            sigaddset(&unblock, signal)
        }
        try SystemCall.checkReturned("pthread_sigmask", "SIGTERM/SIGUSR1") { pthread_sigmask(SIG_UNBLOCK, &unblock, nil) }
        for signal in [SIGTERM, SIGUSR1] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { _ in
                InterruptSignals.requested.store(true, ordering: .relaxed)
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            try SystemCall.check("sigaction", signal == SIGTERM ? "SIGTERM" : "SIGUSR1") { sigaction(signal, &action, nil) }
        }
    }

    public static var isRequested: Bool {
        requested.load(ordering: .relaxed)
    }

    /// Forgets an earlier request (tests; a tool that runs several experiments in a row must not
    /// use this to ignore a real request).
    public static func reset() {
        requested.store(false, ordering: .relaxed)
    }
}
