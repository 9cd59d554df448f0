# Check that README's R reader example gets what `refugesim report --csv`
# writes.  Rscript check_readers.R README.md DIR, where DIR holds sweep.h5
# and csv/ (report --csv of it).  Runs the ```r block after the line
# `<!-- reader example: R ...` in DIR as written; its data frames `reps`
# (point 0's replications) and `monthly` (point 0's monthly arrays, long)
# must have the columns of replications.csv / monthly.csv for point 0 after
# the point and varied-key columns, and the same values (to the 15
# significant digits the CSV keeps); its data frame `summary` (the file's
# /summary) the columns point, label, the varied keys made safe, metric,
# units, mean, lo, hi, half_width, n, and for every row of summary.csv its
# label (points.csv), varied values, mean, mean -/+ ci95, ci95 and n.
# Prints "ok"; stops with the reason.
args <- commandArgs(trailingOnly = TRUE)
readme <- normalizePath(args[1])
setwd(args[2])

lines <- readLines(readme, encoding = "UTF-8")
at <- grep("^<!-- reader example: R ", lines)
if (length(at) != 1 || lines[at + 1] != "```r") stop(readme, ": no '<!-- reader example: R' block")
end <- at + 1 + which(lines[(at + 2):length(lines)] == "```")[1]
code <- lines[(at + 2):(end - 1)]
invisible(capture.output(eval(parse(text = code), envir = globalenv())))

keys <- as.character(rhdf5::h5readAttributes("sweep.h5", "/")$vary_keys)
n_vary <- length(keys)
point0 <- function(file) {
    d <- read.csv(file.path("csv", file), check.names = FALSE, stringsAsFactors = FALSE)
    d <- d[d$point == 0, -(1:(1 + n_vary)), drop = FALSE]
    rownames(d) <- NULL
    d
}
same <- function(name, got, want) {
    got <- as.data.frame(lapply(got, as.vector), check.names = FALSE)
    rownames(got) <- NULL
    if (!identical(names(got), names(want)))
        stop(name, ": columns ", paste(names(got), collapse = ","), ", report --csv has ",
             paste(names(want), collapse = ","))
    if (nrow(got) != nrow(want)) stop(name, ": ", nrow(got), " rows, report --csv has ", nrow(want))
    for (col in names(want)) {
        ok <- isTRUE(all.equal(as.numeric(got[[col]]), as.numeric(want[[col]]), tolerance = 1e-13))
        if (!ok) stop(name, ": column ", col, " differs: ", paste(head(got[[col]]), collapse = " "),
                      " read, ", paste(head(want[[col]]), collapse = " "), " in the CSV")
    }
}
safe <- function(k) gsub("^_+|_+$", "", gsub("[^A-Za-z0-9_]+", "_", k))
expected_summary <- function() {
    pts <- read.csv(file.path("csv", "points.csv"), check.names = FALSE, stringsAsFactors = FALSE)
    s <- read.csv(file.path("csv", "summary.csv"), check.names = FALSE, stringsAsFactors = FALSE)
    d <- data.frame(point = s$point, label = pts$label[match(s$point, pts$index)],
                    stringsAsFactors = FALSE)
    for (k in keys) d[[safe(k)]] <- s[[k]]
    d$metric <- s$metric
    d$units <- s$units
    d$mean <- s$mean
    d$lo <- s$mean - s$ci95
    d$hi <- s$mean + s$ci95
    d$half_width <- s$ci95
    d$n <- s$n
    d
}
same_summary <- function(got, want) {
    got <- as.data.frame(lapply(got, as.vector), check.names = FALSE, stringsAsFactors = FALSE)
    if (!identical(names(got), names(want)))
        stop("summary: columns ", paste(names(got), collapse = ","), ", expected ",
             paste(names(want), collapse = ","))
    if (nrow(got) != nrow(want)) stop("summary: ", nrow(got), " rows, summary.csv has ", nrow(want))
    for (col in names(want)) {
        if (is.character(want[[col]])) {
            ok <- identical(as.character(got[[col]]), want[[col]])
        } else {
            a <- as.numeric(got[[col]])
            b <- as.numeric(want[[col]])
            ok <- identical(is.na(a), is.na(b)) &&
                all(abs(a - b)[!is.na(b)] <= 1e-12 * pmax(1, abs(b[!is.na(b)])))
        }
        if (!ok) stop("summary: column ", col, " differs: ", paste(head(got[[col]]), collapse = " "),
                      " read, ", paste(head(want[[col]]), collapse = " "), " expected")
    }
}
same_summary(summary, expected_summary())
same("replications", reps, point0("replications.csv"))
same("monthly", monthly, point0("monthly.csv"))
cat("ok\n")
