package dev.aria.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.jboss.logmanager.ExtLogRecord;

/**
 * The service's log records at or above a level while a test runs (the tests run in the service's JVM, whose JBoss
 * LogManager hands every record to the root logger's handlers). Close it to stop capturing.
 */
public final class LogCapture extends Handler implements AutoCloseable {

    private final Level threshold;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    private LogCapture(Level threshold) {
        this.threshold = threshold;
    }

    /** Starts capturing every record at {@code threshold} or above, from every logger. */
    public static LogCapture atLeast(Level threshold) {
        LogCapture capture = new LogCapture(threshold);
        Logger.getLogger("").addHandler(capture);
        return capture;
    }

    /** One line per record captured so far: level, logger, message and the exception, if any. */
    public List<String> lines() {
        return records.stream().map(r -> r.getLevel() + " " + r.getLoggerName() + ": "
                + (r instanceof ExtLogRecord ext ? ext.getFormattedMessage() : r.getMessage())
                + (r.getThrown() == null ? "" : " " + r.getThrown())).toList();
    }

    @Override
    public void publish(LogRecord record) {
        if (record.getLevel().intValue() >= threshold.intValue()) {
            records.add(record);
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        Logger.getLogger("").removeHandler(this);
    }
}
