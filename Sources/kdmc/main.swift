import Commands

// The executable is only this call; the commands live in the Commands library.
RootCommand.main()
