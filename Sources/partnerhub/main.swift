import PartnerWeb

// Dispatch by hand: from top-level code `PartnerHubCommand.main()` would pick the synchronous
// entry point, which refuses asynchronous subcommands.
await PartnerHubCommand.runFromCommandLine()
