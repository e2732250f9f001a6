package social.caravan.core.config;

/** A setting that cannot be used; the message names the variable so an operator can fix it. */
public class ConfigException extends RuntimeException {
    public ConfigException(String variable, String problem) {
        super(variable + " " + problem);
    }
}
