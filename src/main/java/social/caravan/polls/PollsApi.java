package social.caravan.polls;

import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.util.List;
import social.caravan.core.http.ApiException;
import social.caravan.core.http.Authn;
import social.caravan.core.http.Params;
import social.caravan.core.http.Routes;
import social.caravan.core.ids.Ids;
import social.caravan.relationships.RelationshipService;
import social.caravan.statuses.StatusService;

/**
 * /api/v1/polls: a poll, and voting on it. A poll is there only for those who may see its status
 * (404 for everyone else, as Mastodon answers).
 */
public final class PollsApi implements Routes {
    private final PollService polls;
    private final StatusService statuses;
    private final RelationshipService relationships;
    private final Authn authn;

    public PollsApi(PollService polls, StatusService statuses, RelationshipService relationships, Authn authn) {
        this.polls = polls;
        this.statuses = statuses;
        this.relationships = relationships;
        this.authn = authn;
    }

    @Override
    public void register(JavalinDefaultRoutingApi routes) {
        routes.get("/api/v1/polls/{id}", this::show);
        routes.post("/api/v1/polls/{id}/votes", this::vote);
    }

    private void show(Context ctx) {
        long viewer = viewer(ctx);
        Poll poll = visible(ctx, viewer);
        ctx.json(polls.view(poll, viewer));
    }

    private void vote(Context ctx) {
        long voter = authn.requireUser(ctx, "write:statuses").accountId().getAsLong();
        Poll poll = visible(ctx, voter);
        // Mastodon's PollPolicy: no voting on the polls of someone one blocks.
        if (relationships.of(voter, List.of(poll.accountId())).getFirst().blocking()) {
            throw ApiException.forbidden("This action is not allowed");
        }
        Poll voted = polls.vote(poll.id(), voter, Params.of(ctx).list("choices"));
        ctx.json(polls.view(voted, voter));
    }

    /** The poll of the path, if its status is the viewer's to see. */
    private Poll visible(Context ctx, long viewer) {
        long id = Ids.parse(ctx.pathParam("id")).orElseThrow(ApiException::notFound);
        Poll poll = polls.get(id, viewer);
        statuses.get(poll.statusId(), viewer);
        return poll;
    }

    /** The signed-in account, or 0; a token that cannot read statuses is refused, as Mastodon refuses it. */
    private long viewer(Context ctx) {
        if (Authn.bearer(ctx).isEmpty()) {
            return 0;
        }
        return authn.require(ctx, "read:statuses").accountId().orElse(0);
    }
}
