import PartnerWeb
