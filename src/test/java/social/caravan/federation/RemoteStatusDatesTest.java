package social.caravan.federation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Dates of Notes: the quick reading of plain UTC dates agrees with the general ISO parser. */
class RemoteStatusDatesTest {
    @Test
    void plainUtcDatesReadAsTheIsoParserReadsThem() {
        for (String text : new String[] {"2026-11-27T10:11:12Z", "2026-01-02T03:04:05.1Z", "2024-02-29T23:59:59.123Z",
                "2026-11-27T10:11:12.123456789Z", "1999-12-31T00:00:00.000001Z"}) {
            assertThat(RemoteStatuses.instant(text)).as(text).isEqualTo(Instant.parse(text));
        }
    }

    @Test
    void otherFormsGoToTheIsoParserAndNonsenseIsNoDate() {
        assertThat(RemoteStatuses.instant("2026-11-27T10:11:12+02:00")).isEqualTo(Instant.parse("2026-11-27T08:11:12Z"));
        for (String text : new String[] {"2026-13-27T10:11:12Z", "2026-02-30T10:11:12Z", "2026-11-27T25:11:12Z",
                "2026-11-27 10:11:12Z", "2026-11-27T10:11:12.1234567890Z", "yesterday", ""}) {
            assertThat(RemoteStatuses.instant(text)).as(text).isNull();
        }
        assertThat(RemoteStatuses.instant(null)).isNull();
    }
}
