"""The version of what an `Analysis` holds and how it is computed.

Bump it whenever either changes: stored analyses of another version are redone
(`checker ingest` and `checker scan` upgrade an index before they work).
"""

ANALYSIS_VERSION = 17  # 3: a sum "worth" something sits in its slot; 4: "unable to" denies;
# 5: what a sentence speaks of without asserting (`unasserted`), contrasts, double negation;
# 6: "no ferries were cancelled" denies the cancelling; bracketed conversions; "1m";
# 7: a unit written onto a figure ("12m") is kept with it, a scale only before money;
# 8: counts the entity recogniser missed ("900 properties"); "denied he knew" denies;
# 9: a span of time with a figure ("six years") is an amount, compared as numbers are;
# 10: the nouns that narrow a noun (`classifiers`: "hominid skeleton");
# 11: the verb of a verb's open complement (`complements`: "asking customers to stop");
# 12: "asked the customer to tell him" reports nothing (no attribution to the asker);
# 13: a debunking denies what the report says ("reports that he was arrested are false");
# 14: a relative clause's reporting verb speaks for the noun it describes ("the minister, who
# said ...": the minister, not "who"); 15: a reporting verb's passive subject is no speaker
# ("the plant was said by officials to ...": officials; "it is believed that ...": nobody);
# 16: every token's lemma, part of speech and stopword and name flags (`words`), which the
# rules read instead of tokenising again; 17: each word's dependency label and head, which the
# negation rule reads for a noun's modifiers
