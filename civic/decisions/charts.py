"""Numbers for the server-drawn SVG charts (the template draws; a data table always sits beside)."""
from ..voting.majority_judgment import GRADES
from .models import Method

# Seven steps from red to green that keep 3:1 contrast with white text and each other's neighbours
# distinguishable; the table beside the chart carries every number, so colour never carries meaning alone.
GRADE_COLOURS = ("#8c1c13", "#b3471d", "#9a6700", "#5c6b00", "#2f7a3a", "#1d6b52", "#0b4f6c")


def bar_chart(decision, data):
    """{"bars": [{label, value, share, segments?}], "max": n} with shares in percent of the longest bar."""
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
            for grade, n in zip(GRADES, grades):
                width = 100 * n / total
                segments.append({"grade": grade, "x": offset, "width": width, "colour": GRADE_COLOURS[GRADES.index(grade)]})
                offset += width
            bars.append({"key": key, "label": label, "value": sum(grades), "segments": segments})
        return {"bars": bars, "stacked": True}
    else:
        bars = [{"key": key, "label": label, "value": count["votes"][key]} for key, label in labels.items()]
    longest = max((b["value"] for b in bars), default=0) or 1
    for bar in bars:
        bar["share"] = 100 * bar["value"] / longest
    return {"bars": bars, "stacked": False}
