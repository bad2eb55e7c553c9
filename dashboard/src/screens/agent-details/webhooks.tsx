import { DashboardWebhookChoicesDocument } from '../../../generated/graphql.ts';
import { useSession } from '../../context.ts';
import { useQuery } from '../../hooks.ts';
import { EmptyState, Loaded } from '../../ui/feedback.tsx';
import { Card } from '../../ui/layout.tsx';
import { type Agent, otherResponder } from './agent.ts';
import { AttachForm } from './attach-form.tsx';
import { CallSetupFallback } from './fallback.tsx';
import { SubscriptionItem } from './subscription-item.tsx';

/** The webhooks an agent sends to, each with its events, and a form to attach another. */
export function AgentWebhooks({ agent, reload }: { agent: Agent; reload: () => void }) {
  const { canManage } = useSession();
  const choices = useQuery(DashboardWebhookChoicesDocument, {});
  const attachedIds = new Set(agent.subscriptions.map((s) => s.webhook.id));
  const available = (choices.data?.webhooks.edges.map((e) => e.node) ?? []).filter(
    (w) => !attachedIds.has(w.id),
  );
  return (
    <>
      <Card id="attached" title="Attached webhooks">
        {agent.subscriptions.length === 0 ? (
          <EmptyState>
            <p>This agent sends its events nowhere yet. Attach a webhook below.</p>
          </EmptyState>
        ) : (
          <ul class="subscriptions" data-testid="agent-subscriptions">
            {agent.subscriptions.map((subscription) => (
              <SubscriptionItem
                key={`${subscription.webhook.id}:${subscription.events.join(',')}:${subscription.respondsToCallSetup}`}
                agentId={agent.id}
                subscription={subscription}
                canRespond={!otherResponder(agent, subscription.webhook.id)}
                onChanged={reload}
              />
            ))}
          </ul>
        )}
      </Card>
      {canManage && (
        <Card id="attach" title="Attach a webhook">
          <Loaded
            query={choices}
            data={choices.data}
            what="webhooks"
            empty={
              available.length === 0 && (
                <p>
                  {attachedIds.size > 0 ? (
                    <>
                      Every webhook is attached to this agent already.{' '}
                      <a href="#/webhooks">Create another webhook</a> to attach more.
                    </>
                  ) : (
                    <>
                      There is no webhook yet. <a href="#/webhooks">Create a webhook</a> first.
                    </>
                  )}
                </p>
              )
            }
          >
            {() => (
              <AttachForm
                agentId={agent.id}
                webhooks={available}
                responder={otherResponder(agent, undefined)}
                onAttached={reload}
              />
            )}
          </Loaded>
        </Card>
      )}
      {/* Keyed by the stored fallback: once saved and reloaded, the editor starts from it. */}
      {canManage && (
        <CallSetupFallback
          key={JSON.stringify(agent.callSetupFallback)}
          agent={agent}
          onSaved={reload}
        />
      )}
    </>
  );
}
