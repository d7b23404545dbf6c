"""Numbers for the server-drawn SVG charts (the template draws; a data table always sits beside)."""
from ..voting.majority_judgment import GRADES
from .models import Method

# Seven steps from red to green that keep 4.5:1 contrast with white text (the percentages drawn on them) and
# with the white page (the legend's swatches). Neighbours look alike without colour vision, so colour never carries
# meaning alone: segments are split by white gaps, keep the grades' order (Reject on the left), carry their share as
# text when wide enough and a tooltip; an HTML legend names the grades and the table beside carries every number.
GRADE_COLOURS = ("#8c1c13", "#b3471d", "#9a6700", "#5c6b00", "#2f7a3a", "#1d6b52", "#0b4f6c")
# A segment narrower than this (percent of the bar) is too narrow for its "NN %" label at 14 px on a 320 px
# phone.
LABEL_MIN_WIDTH = 14


def bar_chart(decision, data):
    """{"bars": [{label, value, share, segments?}], "stacked": bool, "grades"?: [{grade, colour}]}.

    Plain bars: share is in percent of the longest bar. Stacked (majority judgment) bars: one segment
    per grade given at least once, x and width in percent of the bar, share a fraction of the voters.
    """
    count = data["count"]
    labels = {str(o["id"]): o["label"] for o in data["options"]}
    if decision.method is Method.YES_NO:
        items = [("yes", count["yes"]), ("no", count["no"]), ("blank", count["blank"])]
        bars = [{"key": key, "label": key, "value": value} for key, value in items]
    elif decision.method is Method.MAJORITY_JUDGMENT:
        bars = []
        for key, label in labels.items():
            grades = count["grades"][key]
            total = sum(grades) or 1
            offset, segments = 0.0, []
            for grade, colour, n in zip(GRADES, GRADE_COLOURS, grades):
                width = 100 * n / total
                if n:
                    segments.append({"grade": grade, "x": offset, "width": width, "colour": colour, "count": n,
                                     "share": round(n / total, 2), "labelled": width >= LABEL_MIN_WIDTH})
                offset += width
            bars.append({"key": key, "label": label, "value": sum(grades), "segments": segments})
        return {"bars": bars, "stacked": True,
                "grades": [{"grade": g, "colour": c} for g, c in zip(GRADES, GRADE_COLOURS)]}
    else:
        bars = [{"key": key, "label": label, "value": count["votes"][key]} for key, label in labels.items()]
    longest = max((b["value"] for b in bars), default=0) or 1
    for bar in bars:
        bar["share"] = 100 * bar["value"] / longest
    return {"bars": bars, "stacked": False}
