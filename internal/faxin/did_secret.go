package faxin

import (
	"context"
	"fmt"

	"faxgate/internal/model"
	"faxgate/internal/notify"
)

// RotateDIDSecret gives the webhook of a DID a new signing secret and
// returns the DID with it (tenant admins for their tenant's DIDs, admins
// for any). Besides the routing change that set the DID's first webhook
// URL, this is the only answer that carries the secret: a receiver that
// lost it, or fears it leaked, gets a new one here. The previous secret
// stops signing at once (a DID's webhook has a single secret, unlike
// notify's endpoints with their rotation overlap). A DID without a webhook
// is a field error on webhook_url. Audited as webhook.secret_rotated on
// the DID.
func (s *Service) RotateDIDSecret(ctx context.Context, actor model.Actor, id string) (model.DID, error) {
	d, err := s.GetDID(ctx, actor, id)
	if err != nil {
		return model.DID{}, err
	}
	if actor.Role == model.RoleUser {
		return model.DID{}, fmt.Errorf("%w: only tenant admins change a DID's webhook", model.ErrForbidden)
	}
	if !d.Assigned() || d.WebhookURL == "" {
		return model.DID{}, model.Invalid("webhook_url", "the DID has no webhook: set a webhook URL first")
	}
	d.WebhookSecret = notify.NewWebhookSecret()
	if err := s.st.UpdateDID(ctx, &d); err != nil {
		return model.DID{}, err
	}
	s.au.Record(ctx, actor, model.ActionWebhookSecretRotated, "did", d.ID,
		"DID "+d.Number+": new webhook signing secret; the previous one no longer signs", d.TenantID)
	return d, nil
}
