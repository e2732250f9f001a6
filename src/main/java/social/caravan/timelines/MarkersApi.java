package social.caravan.timelines;

import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import social.caravan.core.http.ApiException;
import social.caravan.core.http.Authn;
import social.caravan.core.http.Params;
import social.caravan.core.http.Routes;
import social.caravan.core.ids.Ids;

/** GET and POST /api/v1/markers. */
public final class MarkersApi implements Routes {
    private final MarkerService markers;
    private final Authn authn;

    public MarkersApi(MarkerService markers, Authn authn) {
        this.markers = markers;
        this.authn = authn;
    }

    record MarkerView(String lastReadId, int version, java.time.Instant updatedAt) {}

    @Override
    public void register(JavalinDefaultRoutingApi routes) {
        routes.get("/api/v1/markers", this::show);
        routes.post("/api/v1/markers", this::save);
    }

    private void show(Context ctx) {
        long account = authn.requireUser(ctx, "read:statuses").accountId().getAsLong();
        List<String> asked = Params.of(ctx).list("timeline").stream()
                .filter(MarkerService.TIMELINES::contains).distinct().toList();
        ctx.json(render(asked.isEmpty() ? List.of() : markers.find(account, asked)));
    }

    private void save(Context ctx) {
        long account = authn.requireUser(ctx, "write:statuses").accountId().getAsLong();
        Params p = Params.of(ctx);
        Map<String, Long> positions = new LinkedHashMap<>();
        for (String timeline : MarkerService.TIMELINES) {
            Optional<Params> marker = p.object(timeline);
            if (marker.isPresent()) {
                String raw = marker.get().required("last_read_id");
                positions.put(timeline, Ids.parse(raw).orElseThrow(() ->
                        ApiException.unprocessable("Validation failed: " + timeline + " last_read_id must be an id")));
            }
        }
        if (positions.isEmpty()) {
            throw ApiException.badRequest("Missing required parameter: home or notifications");
        }
        ctx.json(render(markers.save(account, positions)));
    }

    private static Map<String, MarkerView> render(List<Marker> list) {
        Map<String, MarkerView> out = new LinkedHashMap<>();
        for (Marker m : list) {
            out.put(m.timeline(), new MarkerView(Long.toString(m.lastReadId()), m.version(), m.updatedAt()));
        }
        return out;
    }
}
