package social.caravan.instance;

import java.time.LocalDate;

/** A version of the terms of service, in Markdown, and the day it takes effect. */
public record Terms(LocalDate effectiveDate, String text) {}
