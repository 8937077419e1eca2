package api

import "net/http"

// webhookRoutes are the endpoints of tenants' webhook endpoints and their
// delivery log (tenant admins: their own tenant's; admins: every tenant's).
func (a *API) webhookRoutes() []Route {
	deliveryParams := withPage(Param{Name: "endpoint_id", Desc: "One endpoint's log."},
		Param{Name: "event_type", Desc: "One event type, e.g. fax.delivered."},
		Param{Name: "status", Enum: []string{"pending", "retrying", "succeeded", "failed"}}, tenantParam)
	return []Route{
		{Method: "GET", Path: Prefix + "/webhooks", ID: "listWebhooks", Tag: "webhooks", Roles: tenantAdmins,
			Resp: WebhookEndpointList{}, Summary: "List webhook endpoints, newest first (never their secrets).",
			Query: withPage(Param{Name: "enabled", Enum: []string{"true", "false"}},
				Param{Name: "q", Desc: "URL or description contains (case-insensitive)."}, tenantParam),
			handle: a.listWebhooks},
		{Method: "POST", Path: Prefix + "/webhooks", ID: "createWebhook", Tag: "webhooks", Roles: tenantAdmins,
			Body: WebhookEndpointInput{}, Resp: WebhookEndpointCreated{}, Status: http.StatusCreated,
			Summary: "Register an endpoint; its signing secret is in the answer, only this once.",
			Description: "Events are signed per Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature " +
				"v1 HMAC-SHA256 with the secret) and retried with backoff for 24 h. The URL must be https and reach a " +
				"public address (loopback and private addresses are refused unless the platform allows them).",
			handle: a.createWebhook},
		{Method: "GET", Path: Prefix + "/webhooks/deliveries", ID: "listWebhookDeliveries", Tag: "webhooks",
			Roles: tenantAdmins, Resp: WebhookDeliveryList{}, Query: deliveryParams,
			Summary: "The delivery log, newest first.", handle: a.listWebhookDeliveries},
		{Method: "GET", Path: Prefix + "/webhooks/deliveries/{id}", ID: "getWebhookDelivery", Tag: "webhooks",
			Roles: tenantAdmins, Resp: WebhookDelivery{},
			Summary: "One delivery with its payload and every attempt.", handle: a.getWebhookDelivery},
		{Method: "POST", Path: Prefix + "/webhooks/deliveries/{id}/redeliver", ID: "redeliverWebhook",
			Tag: "webhooks", Roles: tenantAdmins, Resp: WebhookDelivery{}, Status: http.StatusAccepted,
			Errors:  []int{409, 422},
			Summary: "Send a finished delivery once more, now, with the same webhook-id (409 while it is retried).",
			handle:  a.redeliverWebhook},
		{Method: "GET", Path: Prefix + "/webhooks/{id}", ID: "getWebhook", Tag: "webhooks", Roles: tenantAdmins,
			Resp: WebhookEndpoint{}, Summary: "Get an endpoint (never its secret).", handle: a.getWebhook},
		{Method: "PATCH", Path: Prefix + "/webhooks/{id}", ID: "updateWebhook", Tag: "webhooks",
			Roles: tenantAdmins, Body: WebhookEndpointInput{}, Resp: WebhookEndpoint{},
			Summary: "Change url, events, description or enabled; only the fields present change.",
			handle:  a.patchWebhook},
		{Method: "DELETE", Path: Prefix + "/webhooks/{id}", ID: "deleteWebhook", Tag: "webhooks",
			Roles: tenantAdmins, Status: http.StatusNoContent,
			Summary: "Delete an endpoint and its delivery log.", handle: a.deleteWebhook},
		{Method: "POST", Path: Prefix + "/webhooks/{id}/rotate-secret", ID: "rotateWebhookSecret",
			Tag: "webhooks", Roles: tenantAdmins, Body: WebhookSecretRotation{}, Resp: WebhookEndpointCreated{},
			Summary: "Give the endpoint a new signing secret, shown in this answer only.", handle: a.rotateWebhookSecret},
		{Method: "POST", Path: Prefix + "/webhooks/{id}/test", ID: "testWebhook", Tag: "webhooks",
			Roles: tenantAdmins, Resp: WebhookDelivery{}, Status: http.StatusAccepted, Errors: []int{422},
			Summary: "Send a webhook.test event to the endpoint; follow it in the delivery log.",
			handle:  a.testWebhook},
	}
}
