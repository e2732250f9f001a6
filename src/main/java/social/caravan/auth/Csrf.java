package social.caravan.auth;

import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import social.caravan.core.http.ApiException;

/**
 * CSRF protection for our forms by the double-submit pattern: a random value in an HttpOnly,
 * SameSite cookie must come back in the form's hidden {@code authenticity_token} field. Another
 * site can neither read the cookie nor set it, so it cannot forge the pair.
 */
public final class Csrf {
    static final String COOKIE = "caravan_csrf";
    public static final String FIELD = "authenticity_token";
    private final Cookies cookies;

    public Csrf(Cookies cookies) {
        this.cookies = cookies;
    }

    /** The token to embed in a form, setting the cookie when the browser has none yet. */
    public String token(Context ctx) {
        String current = ctx.cookie(COOKIE);
        if (current != null && current.length() == 43) {
            return current;
        }
        String fresh = Secrets.random();
        cookies.set(ctx, COOKIE, fresh);
        return fresh;
    }

    public void verify(Context ctx) {
        String cookie = ctx.cookie(COOKIE);
        String field = ctx.formParam(FIELD);
        if (cookie == null || field == null || !MessageDigest.isEqual(
                cookie.getBytes(StandardCharsets.UTF_8), field.getBytes(StandardCharsets.UTF_8))) {
            throw ApiException.forbidden("The form has expired or did not come from this site. Go back, reload and try again.");
        }
    }

    public String hiddenField(Context ctx) {
        return "<input type=\"hidden\" name=\"" + FIELD + "\" value=\"" + token(ctx) + "\">";
    }
}
