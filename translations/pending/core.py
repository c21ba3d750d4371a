{
    "Enter a date between %(start)s and %(end)s.": "Hãy nhập ngày trong khoảng từ %(start)s đến %(end)s.",
}
