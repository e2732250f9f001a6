package social.caravan.reports;

import org.jdbi.v3.core.Handle;

/**
 * Told, inside the transaction that files it, of a report to forward to the reported account's server;
 * federation implements it and sends a Flag (federation -> reports).
 */
@FunctionalInterface
public interface ReportEvents {
    ReportEvents NONE = (h, report) -> { };

    void forwarded(Handle h, Report report);
}
