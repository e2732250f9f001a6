package social.caravan.instance;

/** A server rule shown at sign-up and in the instance document. */
public record Rule(long id, String text, String hint) {}
