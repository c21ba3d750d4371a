"""Annual quality grading (đánh giá, xếp loại chất lượng đảng viên) and the residence branch's yearly comment."""
