package faxout_test

import (
	"faxgate/internal/model"
	"faxgate/internal/tenancy"
)

func tenancyInput(day, month int) tenancy.TenantInput {
	return tenancy.TenantInput{DailyPageLimit: &day, MonthlyPageLimit: &month}
}

func tenancyStatus(s model.TenantStatus) tenancy.TenantInput { return tenancy.TenantInput{Status: s} }
