import PartnerWeb

await PartnerHubCommand.main()
