package social.caravan.announcements;

/**
 * Whether a reaction name is one Unicode emoji: a pictographic character with its variation
 * selector, skin tone or tags, ZWJ sequences of those, a keycap, or a pair of regional indicators
 * (a flag). Mastodon checks names against its emoji list; words, several emoji and bare digits are
 * refused the same way here.
 */
final class Emojis {
    private static final int ZWJ = 0x200D;
    private static final int VARIATION_SELECTOR = 0xFE0F;
    private static final int KEYCAP = 0x20E3;
    private static final int MAX_CODE_POINTS = 16;

    private Emojis() {}

    static boolean isEmoji(String name) {
        int[] cps = name.codePoints().toArray();
        if (cps.length == 0 || cps.length > MAX_CODE_POINTS) {
            return false;
        }
        if (cps.length == 2 && isRegionalIndicator(cps[0]) && isRegionalIndicator(cps[1])) {
            return true;
        }
        boolean expectBase = true;
        boolean pictographic = false;
        boolean keycap = false;
        for (int c : cps) {
            if (c == ZWJ) {
                if (expectBase) {
                    return false;
                }
                expectBase = true;
            } else if (c == VARIATION_SELECTOR || c == KEYCAP || Character.isEmojiModifier(c) || isTag(c)) {
                if (expectBase) {
                    return false;
                }
                keycap |= c == KEYCAP;
            } else if (Character.isEmoji(c) && !isRegionalIndicator(c)) {
                if (!expectBase) {
                    return false;
                }
                expectBase = false;
                pictographic |= Character.isEmojiPresentation(c) || Character.isExtendedPictographic(c);
            } else {
                return false;
            }
        }
        return !expectBase && (pictographic || keycap);
    }

    private static boolean isRegionalIndicator(int c) {
        return c >= 0x1F1E6 && c <= 0x1F1FF;
    }

    private static boolean isTag(int c) {
        return c >= 0xE0020 && c <= 0xE007F;
    }
}
